"""End to end: replays through the agent store exactly scikit-learn's labels."""
import os
import sys
import unittest

from Tests.system import support


class ClusteringThroughTheAgent(unittest.TestCase):
    def setUp(self):
        self.data = support.DataDirectory()

    def tearDown(self):
        self.data.cleanup()

    def labels(self):
        return [row[0] for row in support.query(self.data.database, "SELECT label FROM events ORDER BY id")]

    def test_real_capture_labels_equal_scikit_learn(self):
        if not support.HAS_SHARED_DATA:
            support.note_skip(support.SKIP_SHARED)
            self.skipTest(support.SKIP_SHARED)
        support.run_agent("replay", "--data-dir", self.data.path, support.shared("events-real-1000.log"))
        reference = support.load_json(support.shared("events-real-1000.sklearn.json"))["runs"][0]
        self.assertEqual(self.labels(), reference["labels"])
        (bandwidth, n_iter, clusters), = support.query(
            self.data.database, "SELECT bandwidth, n_iter, clusters FROM cluster_runs")
        self.assertAlmostEqual(bandwidth, reference["bandwidth"], delta=abs(reference["bandwidth"]) * 1e-12)
        self.assertEqual(n_iter, reference["n_iter"])
        self.assertEqual(clusters, len(reference["centers"]))

    def test_household_replay_ends_with_three_runs_and_the_labels_of_the_third(self):
        support.run_agent("replay", "--data-dir", self.data.path, support.fixture("household-3000.log"))
        reference = support.load_json(support.fixture("household-3000.sklearn.json"))["runs"]
        runs = support.query(
            self.data.database, "SELECT events, status, bandwidth, n_iter FROM cluster_runs ORDER BY id")
        self.assertEqual([(r[0], r[1]) for r in runs], [(1000, "succeeded"), (2000, "succeeded"), (3000, "succeeded")])
        for (events, _, bandwidth, n_iter), expected in zip(runs, reference):
            self.assertEqual(events, expected["events"])
            self.assertAlmostEqual(bandwidth, expected["bandwidth"], delta=expected["bandwidth"] * 1e-12)
            self.assertEqual(n_iter, expected["n_iter"])
        self.assertEqual(self.labels(), reference[2]["labels"])
        centers = support.query(self.data.database, "SELECT * FROM cluster_centers WHERE run_id = 3 ORDER BY label")
        self.assertEqual(len(centers), len(reference[2]["centers"]))
        for row, expected in zip(centers, reference[2]["centers"]):
            for value, wanted in zip(row[2:], expected):
                self.assertAlmostEqual(value, wanted, delta=1e-9 * max(1.0, abs(wanted)))

    def test_dirty_capture_runs_over_the_valid_events(self):
        support.run_agent("replay", "--data-dir", self.data.path, support.fixture("household-dirty-2000.log"))
        reference = support.load_json(support.fixture("household-dirty-2000.sklearn.json"))["runs"]
        self.assertEqual(self.labels(), reference[-1]["labels"])

    def test_scikit_learn_stands_in_for_energy_cluster(self):
        command = f"{sys.executable} {os.path.join(support.REPO, 'tools', 'sklearn-meanshift')}"
        support.run_agent(
            "replay", "--data-dir", self.data.path, "--cluster-command", command,
            support.fixture("household-3000.log"))
        reference = support.load_json(support.fixture("household-3000.sklearn.json"))["runs"]
        self.assertEqual(self.labels(), reference[2]["labels"])
        commands = support.query(self.data.database, "SELECT DISTINCT command FROM cluster_runs")
        self.assertEqual(commands, [(command,)])

    def test_cluster_command_runs_now_over_all_events(self):
        support.run_agent(
            "replay", "--data-dir", self.data.path, "--cluster-every", "0", support.fixture("household-3000.log"))
        self.assertEqual(support.query(self.data.database, "SELECT count(*) FROM cluster_runs"), [(0,)])
        support.run_agent("cluster", "--data-dir", self.data.path, "--device", "1")
        reference = support.load_json(support.fixture("household-3000.sklearn.json"))["runs"]
        self.assertEqual(self.labels(), reference[2]["labels"])


if __name__ == "__main__":
    unittest.main()
