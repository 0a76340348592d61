"""Faults around the live agent: a full or size-limited database, an unwritable or vanished report
directory, a failing clustering program, hostile bytes on the tty, and a second agent on the same
database or port. Each test says what it proves in its name."""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import livetools  # noqa: E402
from livetools import Agent, counts, sensor_lines, wait_for_rows  # noqa: E402

CLUSTER = os.path.join(os.path.dirname(livetools.agent_binary()), "energy-cluster")
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def is_root():
    return os.geteuid() == 0


@unittest.skipUnless(os.access(livetools.agent_binary(), os.X_OK), "no release build of energy-agent")
class FaultTests(livetools.LiveTestCase):
    default_arguments = ()

    def adopted(self, agent, pty):
        self.assertTrue(agent.wait_for_log(r"adopted " + re.escape(pty.path)), agent.log())
        self.assertTrue(pty.wait_for_reader())

    # The database fails.

    def mount_tmpfs(self, path, size):
        os.makedirs(path)
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", path],
                                capture_output=True, text=True)
        if result.returncode != 0:
            self.skipTest(f"cannot mount a tmpfs here: {result.stderr.strip()}")
        self.cleanups.append(lambda: subprocess.run(["umount", "-l", path], check=False))

    def fill(self, directory):
        """Fills the filesystem of `directory`; returns the filler file."""
        filler = os.path.join(directory, "filler")
        with open(filler, "wb") as handle:
            try:
                while True:
                    handle.write(b"\0" * 65536)
                    handle.flush()
            except OSError:
                pass
        return filler

    def sensor_rate(self, pty, lines, rate=200):
        """Writes lines at `rate` lines/s in a thread."""
        def write():
            for start in range(0, len(lines), 10):
                try:
                    pty.write(b"".join(line + b"\n" for line in lines[start:start + 10]))
                except OSError:
                    return  # the test failed and closed the pty
                time.sleep(10 / rate)
        thread = threading.Thread(target=write, daemon=True)
        thread.start()
        return thread

    @unittest.skipUnless(is_root(), "mounting a tmpfs needs root")
    def test_a_full_filesystem_keeps_lines_in_memory_without_spinning_and_stores_them_when_space_returns(self):
        mount = os.path.join(self.directory.name, "small")
        self.mount_tmpfs(mount, "4m")
        data = os.path.join(mount, "data")
        reports = os.path.join(self.directory.name, "reports")
        pty = self.pty()
        agent = self.start("--device", pty.path, "--cluster-every", "0", "--reports", reports, data=data)
        self.adopted(agent, pty)
        lines = sensor_lines(3000)
        pty.write(b"".join(line + b"\n" for line in lines[:100]))
        self.assertEqual(wait_for_rows(agent.database, 100), (100, 0))
        filler = self.fill(mount)

        writer = self.sensor_rate(pty, lines[100:1100])
        self.assertTrue(agent.wait_for_log(r"error: cannot store lines: .*(full|No space)", seconds=20), agent.log())
        # While the database fails, lines keep coming at the sensor's pace: the agent waits, it does not spin.
        time.sleep(0.5)
        cpu_before, wall_before = cpu_seconds(agent.process.pid), time.monotonic()
        time.sleep(3)
        cpu = (cpu_seconds(agent.process.pid) - cpu_before) / (time.monotonic() - wall_before)
        writer.join(30)
        self.assertIsNone(agent.process.poll(), "the agent exited on a full disk")
        self.assertLess(cpu, 0.10, f"the agent used {cpu:.0%} of a core while the disk was full")
        # status.json (outside the full filesystem) says so while it lasts.
        deadline = time.monotonic() + 5
        storage = {}
        while time.monotonic() < deadline:
            with open(os.path.join(reports, "status.json")) as handle:
                storage = json.load(handle)["storage"]
            if storage["state"] == "failing" and storage["pending_lines"] > 0:
                break
            time.sleep(0.2)
        self.assertEqual(storage["state"], "failing", storage)
        self.assertGreater(storage["pending_lines"], 0, storage)
        self.assertIsNotNone(storage["error"], storage)

        os.unlink(filler)
        self.assertTrue(agent.wait_for_log(r"the database works again", seconds=20), agent.log())
        pty.write(b"".join(line + b"\n" for line in lines[1100:1200]))
        self.assertEqual(wait_for_rows(agent.database, 1200), (1200, 0))
        self.assertEqual(agent.stop(), 0, agent.log())
        with sqlite3.connect(agent.database) as db:
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchall(), [("ok",)])
            codes = sorted(row[0] for row in db.execute("SELECT event_code FROM events"))
            self.assertEqual(db.execute("SELECT max(times_seen) FROM events").fetchone(), (1,))
        self.assertEqual(codes, list(range(1200)), "every line stored exactly once")
        with open(os.path.join(reports, "status.json")) as handle:
            status = json.load(handle)
        self.assertEqual((status["totals"]["events"], status["devices"][0]["events"]), (1200, 1200))
        self.assertEqual((status["storage"]["state"], status["storage"]["pending_lines"]), ("ok", 0))
        print(f"\n  full disk: {cpu:.1%} of a core while failing", file=sys.stderr)

    def test_a_file_size_limit_stops_reading_at_the_backlog_limit_and_everything_is_stored_once_raised(self):
        pty = self.pty()
        limit = 512 * 1024

        def limited():
            import resource
            # Only the soft limit: raising it again up to the hard one needs no privilege.
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

        agent = Agent(self.data, "--device", pty.path, "--cluster-every", "0", preexec_fn=limited)
        self.agents.append(agent)
        self.adopted(agent, pty)
        total = 110_000
        lines = sensor_lines(total)
        def write():
            try:
                pty.write(b"".join(line + b"\n" for line in lines))
            except OSError:
                pass  # the test failed and closed the pty

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        self.assertTrue(agent.wait_for_log(r"error: cannot store lines: .*(File too large|disk I/O error)", seconds=30), agent.log())
        self.assertTrue(agent.wait_for_log(r"waiting for the database: not reading the ports", seconds=60),
                        agent.log())
        time.sleep(1)
        cpu_before, wall_before = cpu_seconds(agent.process.pid), time.monotonic()
        time.sleep(2)
        cpu = (cpu_seconds(agent.process.pid) - cpu_before) / (time.monotonic() - wall_before)
        self.assertLess(cpu, 0.10, f"the agent used {cpu:.0%} of a core while not reading")
        self.assertTrue(writer.is_alive(), "the agent kept reading beyond its backlog limit")
        stored, _ = counts(agent.database)
        peak = peak_rss_mb(agent.process.pid)

        subprocess.run(["prlimit", f"--pid={agent.process.pid}", "--fsize=unlimited:unlimited"], check=True)
        self.assertTrue(agent.wait_for_log(r"the database works again.*reading the ports again", seconds=30),
                        agent.log())
        writer.join(60)
        self.assertEqual(wait_for_rows(agent.database, total, seconds=60), (total, 0))
        self.assertEqual(agent.stop(), 0, agent.log())
        with sqlite3.connect(agent.database) as db:
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchall(), [("ok",)])
            self.assertEqual(db.execute("SELECT count(DISTINCT event_code), max(times_seen) FROM events").fetchone(),
                             (total, 1))
        self.assertLess(peak, 200, f"peak RSS {peak:.0f} MB with the backlog full")
        print(f"\n  file size limit: {stored} events stored before the limit, backlog peak RSS {peak:.0f} MB, "
              f"{cpu:.1%} of a core while paused", file=sys.stderr)

    @unittest.skipUnless(is_root() and shutil.which("setpriv"), "needs root to run the agent as nobody")
    def test_a_read_only_database_file_is_refused_at_start_with_a_clear_message(self):
        capture = os.path.join(self.directory.name, "capture.log")
        with open(capture, "wb") as handle:
            handle.write(b"".join(line + b"\n" for line in sensor_lines(10)))
        binary = livetools.agent_binary()
        subprocess.run([binary, "replay", "--data-dir", self.data, "--quiet", capture], check=True,
                       capture_output=True)
        os.chmod(self.directory.name, 0o755)
        for root, directories, files in os.walk(self.data):
            for name in directories + files:
                os.chown(os.path.join(root, name), 65534, 65534)
        os.chown(self.data, 65534, 65534)
        os.chmod(os.path.join(self.data, "energy.db"), 0o444)
        as_nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", binary]
        database = os.path.join(self.data, "energy.db")
        for command in (["run", "--device", "/nonexistent"], ["replay", capture]):
            with self.subTest(command=command[0]):
                result = subprocess.run([*as_nobody, command[0], "--data-dir", self.data, *command[1:]],
                                        capture_output=True, text=True, timeout=30)
                self.assertEqual(result.returncode, 74, result.stderr)
                self.assertEqual(
                    result.stderr,
                    f"energy-agent {command[0]}: the database {database} is read-only for this process (file "
                    "permissions or a read-only filesystem); nothing could be stored\n")

    # The report directory fails.

    @unittest.skipUnless(is_root() and shutil.which("chattr"), "needs root and chattr")
    def test_an_unwritable_or_vanished_report_directory_is_logged_and_ingestion_goes_on(self):
        reports = os.path.join(self.directory.name, "reports")
        pty = self.pty()
        agent = self.start("--device", pty.path, "--cluster-every", "200", "--cluster-command", CLUSTER,
                           "--reports", reports)
        self.adopted(agent, pty)
        lines = sensor_lines(800)
        summary = os.path.join(reports, "device-1", "summary.json")

        def run_id():
            with open(summary) as handle:
                return json.load(handle)["run"]["id"]

        pty.write(b"".join(line + b"\n" for line in lines[:200]))
        self.assertTrue(agent.wait_for_log(r"reports rewritten", seconds=30), agent.log())
        self.assertEqual(run_id(), 1)

        # Read-only (immutable even for root): the run's reports and the status cannot be written.
        device_directory = os.path.dirname(summary)
        subprocess.run(["chattr", "+i", reports, device_directory], check=True)
        self.cleanups.append(lambda: subprocess.run(["chattr", "-i", reports, device_directory], check=False))
        pty.write(b"".join(line + b"\n" for line in lines[200:400]))
        self.assertTrue(agent.wait_for_log(r"error: reports: .*cannot write", seconds=30), agent.log())
        self.assertTrue(agent.wait_for_log(r"warning: status: cannot write", seconds=10), agent.log())
        self.assertEqual(wait_for_rows(agent.database, 400), (400, 0))
        self.assertEqual(run_id(), 1)
        subprocess.run(["chattr", "-i", reports, device_directory], check=True)

        # Vanished: the directory is made again at the next run.
        shutil.rmtree(reports)
        pty.write(b"".join(line + b"\n" for line in lines[400:600]))
        self.assertEqual(wait_for_rows(agent.database, 600), (600, 0))
        self.assertTrue(agent.wait_for_log(r"reports rewritten", seconds=30, count=2), agent.log())
        self.assertEqual(run_id(), 3)
        time.sleep(1)
        with open(os.path.join(reports, "status.json")) as handle:
            self.assertEqual(json.load(handle)["totals"]["events"], 600)
        self.assertIsNone(agent.process.poll())
        self.assertEqual(agent.stop(), 0, agent.log())

    # The clustering program fails.

    def test_a_failing_clustering_program_marks_the_run_failed_and_the_agent_goes_on(self):
        garbage = os.path.join(self.directory.name, "garbage")
        with open(garbage, "w") as handle:
            handle.write("#!/bin/sh\ncat > /dev/null\necho 'not json at all'\n")
        os.chmod(garbage, 0o755)
        cases = [
            (os.path.join(self.directory.name, "absent-program"), r"absent-program"),
            ("/bin/false", r"exited with status 1|exit"),
            (garbage, r"."),
        ]
        for command, reason in cases:
            with self.subTest(command=command):
                data = os.path.join(self.directory.name, os.path.basename(command) + "-data")
                pty = self.pty()
                agent = self.start("--device", pty.path, "--cluster-every", "100", "--cluster-command", command,
                                   data=data)
                self.adopted(agent, pty)
                lines = sensor_lines(250)
                pty.write(b"".join(line + b"\n" for line in lines[:150]))
                self.assertTrue(agent.wait_for_log(r"clustering run 1 failed", seconds=20), agent.log())
                pty.write(b"".join(line + b"\n" for line in lines[150:]))
                self.assertEqual(wait_for_rows(agent.database, 250), (250, 0))
                self.assertTrue(agent.wait_for_log(r"clustering run 2 failed", seconds=20), agent.log())
                self.assertIsNone(agent.process.poll())
                self.assertEqual(agent.stop(), 0, agent.log())
                with sqlite3.connect(agent.database) as db:
                    runs = db.execute("SELECT status, error FROM cluster_runs ORDER BY id").fetchall()
                self.assertEqual([status for status, _ in runs], ["failed", "failed"])
                for _, error in runs:
                    self.assertRegex(error, reason)

    # Hostile bytes on the tty.

    def test_a_ten_megabyte_line_is_stored_as_rejected_with_its_length_and_memory_stays_bounded(self):
        pty = self.pty()
        agent = self.start("--device", pty.path, "--cluster-every", "0")
        self.adopted(agent, pty)
        burst = 10 * 1024 * 1024
        pty.write(b"A" * burst + b"\n" + sensor_lines(1)[0] + b"\n")
        self.assertEqual(wait_for_rows(agent.database, 2, seconds=30), (1, 1))
        peak = peak_rss_mb(agent.process.pid)
        with sqlite3.connect(agent.database) as db:
            length, kept, field = db.execute(
                "SELECT length, length(raw), field FROM rejected_lines").fetchone()
        self.assertEqual((length, kept, field), (burst, 16384, "line"))
        self.assertLess(peak, 64, f"peak RSS {peak:.0f} MB")
        self.assertEqual(agent.stop(), 0, agent.log())

    def test_random_bytes_at_full_speed_become_rejected_lines_and_memory_stays_bounded(self):
        pty = self.pty()
        agent = self.start("--device", pty.path, "--cluster-every", "0")
        self.adopted(agent, pty)
        sent = 0
        newlines = 0
        random = open("/dev/urandom", "rb")
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            chunk = random.read(65536)
            pty.write(chunk)
            sent += len(chunk)
            newlines += chunk.count(b"\n")
        random.close()
        pty.write(b"\n")
        newlines += 1
        deadline = time.monotonic() + 30
        seen = 0
        while time.monotonic() < deadline:
            with sqlite3.connect(agent.database, timeout=10) as db:
                events = db.execute("SELECT count(*) FROM events").fetchone()[0]
                seen = events + (db.execute("SELECT coalesce(sum(times_seen), 0) FROM rejected_lines").fetchone()[0])
            if seen >= newlines:
                break
            time.sleep(0.1)
        self.assertEqual(seen, newlines, "every line sent is an event or a rejected line")
        self.assertIsNone(agent.process.poll())
        peak = peak_rss_mb(agent.process.pid)
        self.assertLess(peak, 64, f"peak RSS {peak:.0f} MB")
        self.assertEqual(agent.stop(), 0, agent.log())
        print(f"\n  random bytes: {sent / 1e6:.0f} MB, {newlines} lines in 3 s, peak RSS {peak:.0f} MB", file=sys.stderr)

    # Two writers.

    def test_a_second_writer_on_the_same_database_is_refused_with_69_naming_the_holder(self):
        pty = self.pty()
        agent = self.start("--device", pty.path, "--cluster-every", "0")
        self.adopted(agent, pty)
        pty.write(b"".join(line + b"\n" for line in sensor_lines(10)))
        self.assertEqual(wait_for_rows(agent.database, 10), (10, 0))
        capture = os.path.join(self.directory.name, "capture.log")
        with open(capture, "wb") as handle:
            handle.write(b"".join(line + b"\n" for line in sensor_lines(10, start=10)))
        message = (f"the database {self.data}/energy.db is in use by another energy-agent "
                   f"(pid {agent.process.pid}); only one process may write it at a time "
                   f"(lock file {self.data}/energy.db.lock)")
        binary = livetools.agent_binary()
        for command in (["run", "--device", self.pty().path], ["replay", capture], ["cluster"]):
            with self.subTest(command=command[0]):
                second = subprocess.run([binary, command[0], "--data-dir", self.data, *command[1:]],
                                        capture_output=True, text=True, timeout=30)
                self.assertEqual(second.returncode, 69, second.stderr)
                self.assertEqual(second.stderr, f"energy-agent {command[0]}: {message}\n")
        self.assertEqual(counts(agent.database), (10, 0))
        self.assertEqual(agent.stop(), 0, agent.log())
        replay = subprocess.run([binary, "replay", "--data-dir", self.data, "--quiet", capture],
                                capture_output=True, text=True, timeout=30)
        self.assertEqual(replay.returncode, 0, replay.stderr)
        self.assertEqual(counts(agent.database), (20, 0))

    def test_a_second_agent_on_the_same_port_says_it_is_in_use_and_waits(self):
        pty = self.pty()
        first = self.start("--device", pty.path, "--cluster-every", "0")
        self.adopted(first, pty)
        other = os.path.join(self.directory.name, "other")
        second = self.start("--device", pty.path, "--cluster-every", "0", data=other)
        self.assertTrue(second.wait_for_log(re.escape(pty.path) + r" is in use by another process"), second.log())
        pty.write(b"".join(line + b"\n" for line in sensor_lines(50)))
        self.assertEqual(wait_for_rows(first.database, 50), (50, 0))
        time.sleep(0.5)
        self.assertEqual(counts(second.database), (0, 0))
        self.assertIsNone(second.process.poll())
        self.assertEqual(first.stop(), 0, first.log())
        self.assertTrue(second.wait_for_log(r"adopted " + re.escape(pty.path), seconds=10), second.log())
        self.assertTrue(pty.wait_for_reader())
        pty.write(b"".join(line + b"\n" for line in sensor_lines(5, start=50)))
        self.assertEqual(wait_for_rows(second.database, 5), (5, 0))
        self.assertEqual(second.stop(), 0, second.log())


if __name__ == "__main__":
    unittest.main()
