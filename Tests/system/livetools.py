"""Helpers for the live-agent system tests: pseudo-terminals, the agent process, the database,
and a small JSON Schema checker for the subset of draft 2020-12 that the project's schemas use."""

import json
import os
import re
import select
import signal
import sqlite3
import subprocess
import tempfile
import threading
import unittest
import time
import tty

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURE = os.path.join(ROOT, "Tests", "Fixtures", "household-3000.log")
STATUS_SCHEMA = os.path.join(ROOT, "docs", "schemas", "status.schema.json")


def agent_binary():
    directory = os.environ.get("ENERGY_AGENT_BIN") or os.path.join(ROOT, ".build", "release")
    return os.path.join(directory, "energy-agent")


def sensor_lines(count, start=0):
    """`count` distinct sensor lines: the fixture's lines with Evt set to a running number."""
    with open(FIXTURE, "rb") as handle:
        seeds = [line.rstrip(b"\r\n") for line in handle if line.strip()]
    evt = re.compile(rb"Evt=\d+")
    return [evt.sub(b"Evt=%d" % (start + index), seeds[(start + index) % len(seeds)], count=1)
            for index in range(count)]


class Pty:
    """A pseudo-terminal whose master the test holds, raw, not inherited by children."""

    def __init__(self):
        self.master, slave = os.openpty()
        self.path = os.ttyname(slave)
        os.close(slave)
        tty.setraw(self.master)
        os.set_inheritable(self.master, False)

    def has_reader(self):
        poller = select.poll()
        poller.register(self.master, 0)
        return not any(events & select.POLLHUP for _, events in poller.poll(0))

    def wait_for_reader(self, seconds=10):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.has_reader():
                time.sleep(0.2)  # the reader flushes stale input right after opening
                return True
            time.sleep(0.01)
        return False

    def write(self, data):
        view = memoryview(data)
        while view:
            written = os.write(self.master, view)
            view = view[written:]

    def close(self):
        if self.master >= 0:
            os.close(self.master)
            self.master = -1


class Agent:
    """`energy-agent run` in a temporary data directory; its stderr is collected in a thread."""

    def __init__(self, data_dir, *arguments, env=None, **popen):
        self.data_dir = data_dir
        self.lines = []
        self._lock = threading.Lock()
        command = [agent_binary(), "run", "--data-dir", data_dir, "--status-interval", "0.5", *arguments]
        self.process = subprocess.Popen(command, stderr=subprocess.PIPE, env=env, **popen)
        self._thread = threading.Thread(target=self._collect, daemon=True)
        self._thread.start()

    def _collect(self):
        for raw in self.process.stderr:
            with self._lock:
                self.lines.append(raw.decode(errors="replace").rstrip("\n"))

    def log(self):
        with self._lock:
            return list(self.lines)

    def wait_for_log(self, pattern, seconds=10, count=1):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if sum(1 for line in self.log() if re.search(pattern, line)) >= count:
                return True
            if self.process.poll() is not None:
                break
            time.sleep(0.02)
        return False

    def stop(self, timeout=30):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        status = self.process.wait(timeout)
        self._thread.join(5)
        self.process.stderr.close()
        return status

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._thread.join(5)
        if not self.process.stderr.closed:
            self.process.stderr.close()

    @property
    def database(self):
        return os.path.join(self.data_dir, "energy.db")

    @property
    def status_path(self):
        return os.path.join(self.data_dir, "reports", "status.json")


def counts(database):
    with sqlite3.connect(database, timeout=10) as db:
        events = db.execute("SELECT count(*) FROM events").fetchone()[0]
        rejected = db.execute("SELECT count(*) FROM rejected_lines").fetchone()[0]
    return events, rejected


def wait_for_rows(database, expected, seconds=30):
    """Waits until events + rejected_lines reach `expected`; returns the last counts."""
    deadline = time.monotonic() + seconds
    last = (0, 0)
    while time.monotonic() < deadline:
        if os.path.exists(database):
            try:
                last = counts(database)
            except sqlite3.OperationalError:
                pass
            if sum(last) >= expected:
                return last
        time.sleep(0.05)
    return last


def temporary_directory():
    return tempfile.TemporaryDirectory(prefix="energy-live-")


# A JSON Schema checker for what the project's schemas use: type, enum, const, required,
# properties, additionalProperties, items, minimum, pattern, oneOf, $ref into $defs.

_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def schema_errors(value, schema, root=None, path="$"):
    root = root if root is not None else schema
    if "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith("#/$defs/"), ref
        return schema_errors(value, root["$defs"][ref[len("#/$defs/"):]], root, path)
    errors = []
    if "type" in schema:
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_TYPES[kind](value) for kind in kinds):
            return [f"{path}: expected {schema['type']}, got {value!r}"]
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: {value!r} not in {schema['enum']}")
    if "const" in schema and value != schema["const"]:
        errors.append(f"{path}: {value!r} is not {schema['const']!r}")
    if "minimum" in schema and isinstance(value, (int, float)) and value < schema["minimum"]:
        errors.append(f"{path}: {value} below {schema['minimum']}")
    if "pattern" in schema and isinstance(value, str) and not re.search(schema["pattern"], value):
        errors.append(f"{path}: {value!r} does not match {schema['pattern']}")
    if "oneOf" in schema:
        matching = [option for option in schema["oneOf"] if not schema_errors(value, option, root, path)]
        if len(matching) != 1:
            errors.append(f"{path}: {value!r} matches {len(matching)} of the oneOf options")
    if isinstance(value, dict):
        for name in schema.get("required", []):
            if name not in value:
                errors.append(f"{path}: missing {name}")
        properties = schema.get("properties", {})
        for name, member in value.items():
            if name in properties:
                errors += schema_errors(member, properties[name], root, f"{path}.{name}")
            elif schema.get("additionalProperties") is False:
                errors.append(f"{path}: unexpected member {name}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            errors += schema_errors(item, schema["items"], root, f"{path}[{index}]")
    return errors


def status_errors(document):
    with open(STATUS_SCHEMA) as handle:
        schema = json.load(handle)
    return schema_errors(document, schema)


def committed(database):
    """The (id, line_hash) of every committed event, as a reader sees them now."""
    if not os.path.exists(database):
        return set()
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10)
    try:
        return set(connection.execute("SELECT id, line_hash FROM events"))
    except sqlite3.OperationalError:
        return set()
    finally:
        connection.close()


class LiveTestCase(unittest.TestCase):
    """A test that runs agents on pseudo-terminals in a temporary directory, all cleaned up after."""

    default_arguments = ("--cluster-every", "0")

    def setUp(self):
        self.directory = temporary_directory()
        self.data = os.path.join(self.directory.name, "data")
        self.agents = []
        self.ptys = []
        self.cleanups = []

    def tearDown(self):
        for agent in self.agents:
            agent.kill()
        for pty in self.ptys:
            pty.close()
        for cleanup in reversed(self.cleanups):
            cleanup()
        self.directory.cleanup()

    def start(self, *arguments, data=None, **kwargs):
        """Starts `energy-agent run` with the class's default arguments before `arguments`."""
        agent = Agent(data or self.data, *self.default_arguments, *arguments, **kwargs)
        self.agents.append(agent)
        return agent

    def pty(self):
        pty = Pty()
        self.ptys.append(pty)
        return pty

