"""System tests of the report directory: files, schema, commands, an unwritable directory.

Run by `make system-test` with the project's venv (jsonschema from tools/requirements.txt).
The binaries come from ENERGY_AGENT (a file) or .build/release, else .build/debug; the real
clustering program from ENERGY_CLUSTER or .build/release/energy-cluster.
"""
import html.parser
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
SHARED_DATA = REPOSITORY.parent / "shared" / "data"
HOUSEHOLD = REPOSITORY / "Tests" / "Fixtures" / "household-3000.log"
SCHEMA = REPOSITORY / "docs" / "schemas" / "summary.schema.json"
DEVICE_FILES = ["events_by_cluster.json", "average_active_power_by_cluster.json", "summary.json", "clusters.svg"]

# A clustering program for these tests only: speaks the energy-cluster protocol (.npy on stdin,
# JSON on stdout) and groups events by active power, so that the outcome is known in advance.
FAKE_CLUSTER = textwrap.dedent(
    """\
    #!{python}
    import ast, json, struct, sys
    raw = sys.stdin.buffer.read()
    assert raw[:6] == b"\\x93NUMPY", "not a .npy file"
    if raw[6] == 1:
        size, start = struct.unpack("<H", raw[8:10])[0], 10
    else:
        size, start = struct.unpack("<I", raw[8:12])[0], 12
    header = ast.literal_eval(raw[start:start + size].decode("latin-1"))
    rows, columns = header["shape"]
    values = struct.unpack("<%dd" % (rows * columns), raw[start + size:start + size + rows * columns * 8])
    data = [values[i * columns:(i + 1) * columns] for i in range(rows)]
    def label(active):
        return 0 if active < 500 else 1 if active < 1500 else 2 if active < 2500 else -1
    labels = [label(row[0]) for row in data]
    centers = []
    for k in range(3):
        members = [row for row, l in zip(data, labels) if l == k] or [[0.0] * columns]
        centers.append([sum(column) / len(members) for column in zip(*members)])
    json.dump({{"labels": labels, "bandwidth": 500.0, "cluster_centers": centers, "n_iter": 3, "seconds": 0.01}},
              sys.stdout)
    """
)

EXPECTED_REAL_COUNTS = {"-1": 101, "0": 322, "1": 281, "2": 145, "3": 133, "4": 18}
EXPECTED_REAL_MEANS = {
    "-1": 1968.6336633663366, "0": 270.1583850931677, "1": 1718.338078291815, "2": 1228.6482758620689,
    "3": 2296.3383458646617, "4": 3590.4444444444443,
}


def find_binary(name, variable):
    if os.environ.get(variable):
        return Path(os.environ[variable]).resolve()
    if os.environ.get("ENERGY_AGENT_BIN"):
        candidate = Path(os.environ["ENERGY_AGENT_BIN"]) / name
        if candidate.exists():
            return candidate
    for configuration in ("release", "debug"):
        candidate = REPOSITORY / ".build" / configuration / name
        if candidate.exists():
            return candidate
    return None


AGENT = find_binary("energy-agent", "ENERGY_AGENT")


class LinkCollector(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []
        self.scripts = 0

    def handle_starttag(self, tag, attributes):
        if tag == "script":
            self.scripts += 1
        for name, value in attributes:
            if name in ("href", "src") and value and not value.startswith("#"):
                self.links.append(value)


@unittest.skipIf(AGENT is None, "energy-agent is not built (swift build)")
class ReportTests(unittest.TestCase):
    def setUp(self):
        self.directory = Path(tempfile.mkdtemp(prefix="energy-agent-reports-"))
        self.data = self.directory / "data"
        self.reports = self.data / "reports"
        self.cluster = self.directory / "fake-cluster"
        self.cluster.write_text(FAKE_CLUSTER.format(python=sys.executable))
        self.cluster.chmod(0o755)

    def tearDown(self):
        for path in self.directory.rglob("*"):
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(self.directory)

    def agent(self, *arguments, expect=0):
        result = subprocess.run(
            [str(AGENT), *arguments], capture_output=True, text=True, timeout=600, cwd=self.directory)
        if expect is not None:
            self.assertEqual(result.returncode, expect, "energy-agent %s\n%s" % (" ".join(arguments), result.stderr))
        return result

    def replay(self, *files, every=1000, cluster=None, expect=0, extra=()):
        return self.agent(
            "replay", "--quiet", "--data-dir", str(self.data), "--cluster-every", str(every),
            "--cluster-command", str(cluster or self.cluster), *extra, *map(str, files), expect=expect)

    def load(self, relative):
        return json.loads((self.reports / relative).read_text())

    def assert_index_links_exist(self):
        collector = LinkCollector()
        collector.feed((self.reports / "index.html").read_text())
        self.assertEqual(collector.scripts, 0)
        self.assertTrue(collector.links)
        for link in collector.links:
            self.assertTrue((self.reports / link).exists(), "index.html links %s, which does not exist" % link)
        return collector.links

    def test_the_files_agree_and_the_summary_validates_against_its_schema(self):
        try:
            import jsonschema
        except ImportError:
            self.skipTest("jsonschema is not installed; run `make venv` (tools/requirements.txt)")
        self.replay(HOUSEHOLD)
        counts = self.load("device-1/events_by_cluster.json")
        means = self.load("device-1/average_active_power_by_cluster.json")
        summary = self.load("device-1/summary.json")

        schema = json.loads(SCHEMA.read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(summary), key=str)
        self.assertEqual([], [error.message for error in errors])

        self.assertEqual(summary["run"]["events"], 3000)
        self.assertEqual(summary["run"]["id"], 3)
        self.assertEqual(summary["run"]["command"], str(self.cluster))
        self.assertEqual(sum(counts.values()), 3000)
        self.assertEqual(list(counts), sorted(counts, key=int))
        self.assertEqual(list(counts), list(means))
        by_label = {str(group["label"]): group for group in summary["clusters"] if group["events"] > 0}
        self.assertEqual({label: group["events"] for label, group in by_label.items()}, counts)
        self.assertEqual({label: group["features"]["active_power_w"]["mean"] for label, group in by_label.items()}, means)

        links = self.assert_index_links_exist()
        self.assertEqual(sorted(set(links)), sorted("device-1/" + name for name in DEVICE_FILES))

    def test_an_unwritable_report_directory_stops_no_ingestion_and_says_so(self):
        self.data.mkdir()
        if os.geteuid() == 0:
            # Modes do not stop root; a regular file where the directory should be stops everyone.
            self.reports.write_text("not a directory\n")
        else:
            self.reports.mkdir()
            self.reports.chmod(0o555)
        result = self.replay(HOUSEHOLD, expect=0)
        self.assertIn("error: reports: device 1: cannot write %s/device-1" % self.reports, result.stderr)
        self.assertIn("they will be written again after the next clustering run", result.stderr)
        with sqlite3.connect(self.data / "energy.db") as database:
            self.assertEqual(database.execute("SELECT count(*) FROM events").fetchone()[0], 3000)
            self.assertEqual(
                database.execute("SELECT group_concat(status) FROM cluster_runs").fetchone()[0],
                "succeeded,succeeded,succeeded")

        if self.reports.is_file():
            self.reports.unlink()
        else:
            self.reports.chmod(0o755)
        self.agent("report", "--data-dir", str(self.data))
        for name in DEVICE_FILES:
            self.assertTrue((self.reports / "device-1" / name).exists(), name)
        self.assert_index_links_exist()

    def test_report_command_messages(self):
        sensor_seven = self.directory / "seven.log"
        lines = HOUSEHOLD.read_text().splitlines(keepends=True)[:10]
        sensor_seven.write_text("".join(line.replace("Device: ID=1;", "Device: ID=7;") for line in lines))
        self.replay(sensor_seven)
        result = self.agent("report", "--data-dir", str(self.data), "--device", "7", expect=65)
        self.assertEqual(
            result.stderr,
            "energy-agent report: device 7 has not been clustered yet; run `energy-agent cluster --device 7`\n")
        result = self.agent("report", "--data-dir", str(self.data), expect=65)
        self.assertIn("no device has been clustered yet", result.stderr)
        result = self.agent("report", "--data-dir", str(self.data), "--device", "8", expect=65)
        self.assertIn("device 8 has no events", result.stderr)
        result = self.agent("report", "--data-dir", str(self.directory / "nothing"), expect=66)
        self.assertIn("no database at", result.stderr)
        self.agent("report", "--device", "x", expect=64)

        # `cluster` runs the clustering now and writes the reports, to --reports when given.
        elsewhere = self.directory / "elsewhere"
        self.agent(
            "cluster", "--data-dir", str(self.data), "--reports", str(elsewhere),
            "--cluster-command", str(self.cluster))
        self.assertEqual(json.loads((elsewhere / "device-7" / "events_by_cluster.json").read_text()), {"0": 10})
        self.assertIn('href="device-7/summary.json"', (elsewhere / "index.html").read_text())

    def test_report_command_rewrites_the_files_from_the_database(self):
        self.replay(HOUSEHOLD)
        before = {name: (self.reports / "device-1" / name).read_bytes() for name in DEVICE_FILES}
        shutil.rmtree(self.reports)
        result = self.agent("report", "--data-dir", str(self.data))
        self.assertIn("device 1: wrote", result.stderr)
        after = {name: (self.reports / "device-1" / name).read_bytes() for name in DEVICE_FILES}
        self.assertEqual(before, after)
        for path in [self.reports / "index.html"] + [self.reports / "device-1" / name for name in DEVICE_FILES]:
            self.assertEqual(stat.S_IMODE(path.stat().st_mode), 0o644, path)
        self.assertEqual([p.name for p in (self.reports / "device-1").iterdir() if p.name.startswith(".")], [])

    def test_the_real_capture_gives_the_expected_report(self):
        capture = SHARED_DATA / "events-real-1000.log"
        if not capture.exists():
            print("\nnote: %s is absent; the real capture report test is skipped" % capture, file=sys.stderr)
            self.skipTest("%s is absent" % capture)
        cluster = find_binary("energy-cluster", "ENERGY_CLUSTER")
        self.assertIsNotNone(cluster, "energy-cluster is not built (swift build -c release) and ENERGY_CLUSTER is unset")
        self.replay(capture, cluster=cluster)
        self.assertEqual(self.load("device-1/events_by_cluster.json"), EXPECTED_REAL_COUNTS)
        means = self.load("device-1/average_active_power_by_cluster.json")
        self.assertEqual(list(means), list(EXPECTED_REAL_MEANS))
        for label, expected in EXPECTED_REAL_MEANS.items():
            self.assertLessEqual(abs(means[label] - expected), 1e-9 * abs(expected), label)
        self.assertEqual(
            (self.reports / "device-1" / "events_by_cluster.json").read_text(),
            '{"-1": 101, "0": 322, "1": 281, "2": 145, "3": 133, "4": 18}\n')


if __name__ == "__main__":
    unittest.main()
