"""Shared helpers of the end-to-end tests: where the binaries and the data are, and running them."""
import json
import os
import sqlite3
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("ENERGY_AGENT_BIN", os.path.join(REPO, ".build", "release"))
AGENT = os.path.join(BIN, "energy-agent")
CLUSTER = os.path.join(BIN, "energy-cluster")
FIXTURES = os.path.join(REPO, "Tests", "Fixtures")
SHARED_DATA = os.path.join(os.path.dirname(REPO), "shared", "data")
HAS_SHARED_DATA = os.path.exists(os.path.join(SHARED_DATA, "events-real-1000.log"))
SKIP_SHARED = "../shared/data is not present: the real-capture test was skipped"


def note_skip(reason):
    """Says plainly on stderr that a test was skipped, beside unittest's own 's'."""
    print(f"\nSKIPPED: {reason}", file=sys.stderr)


def fixture(name):
    return os.path.join(FIXTURES, name)


def shared(name):
    return os.path.join(SHARED_DATA, name)


def load_json(path):
    with open(path) as handle:
        return json.load(handle)


def run_agent(*arguments, check=True, timeout=600, **kwargs):
    result = subprocess.run(
        [AGENT, *arguments], capture_output=True, text=True, timeout=timeout, **kwargs)
    if check and result.returncode != 0:
        raise AssertionError(
            f"energy-agent {' '.join(arguments)} exited {result.returncode}: {result.stderr}")
    return result


def query(database, sql, *parameters):
    connection = sqlite3.connect(database)
    try:
        return connection.execute(sql, parameters).fetchall()
    finally:
        connection.close()


class DataDirectory:
    """A temporary data directory for one test."""

    def __init__(self):
        self._temporary = tempfile.TemporaryDirectory(prefix="energy-agent-system-")
        self.path = self._temporary.name
        self.database = os.path.join(self.path, "energy.db")

    def cleanup(self):
        self._temporary.cleanup()
