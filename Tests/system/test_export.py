"""End to end: the CSV export reads with pandas and matches the database."""
import io
import json
import unittest

import pandas

from Tests.system import support


class ExportReadsWithPandas(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.data = support.DataDirectory()
        support.run_agent("replay", "--data-dir", cls.data.path, support.fixture("household-3000.log"))

    @classmethod
    def tearDownClass(cls):
        cls.data.cleanup()

    def test_csv_reads_with_pandas(self):
        csv = support.run_agent("export", "--data-dir", self.data.path, "--format", "csv").stdout
        frame = pandas.read_csv(io.StringIO(csv))
        self.assertEqual(len(frame), 3000)
        self.assertEqual(list(frame.columns)[:3], ["id", "device_id", "firmware"])
        expected = support.load_json(support.fixture("household-3000.expect.json"))
        reference = support.load_json(support.fixture("household-3000.sklearn.json"))["runs"][2]["labels"]
        for index in (0, 1234, 2999):
            row = frame.iloc[index]
            features = [row.active_power_w, row.reactive_power_var, row.apparent_power_va, row.current_a,
                        row.voltage_v] + [float(x) for x in row.peaks.split(";")[:3]]
            self.assertEqual(features, expected[index]["features"])
            self.assertEqual(int(row.label), reference[index])
        self.assertTrue(frame.measured_at.str.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$").all())

    def test_ndjson_and_json_agree(self):
        ndjson = support.run_agent("export", "--data-dir", self.data.path).stdout.splitlines()
        whole = json.loads(support.run_agent("export", "--data-dir", self.data.path, "--format", "json").stdout)
        self.assertEqual([json.loads(line) for line in ndjson], whole)
        self.assertEqual(whole[0]["source"], support.fixture("household-3000.log") + ":1")


if __name__ == "__main__":
    unittest.main()
