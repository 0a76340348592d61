import EventStore
import Foundation
import Reports
import SensorFormat
import TestSupport
import Testing

@Suite struct ReportBuilderTests {
    let directory = TemporaryDirectory()
    var databasePath: String { directory.path + "/energy.db" }

    @Test func countsAndMeansPerClusterNoiseFirstThenByLabel() throws {
        let store = try ReportFixtures.sampleStore(databasePath)
        defer { store.close() }
        let report = try ReportBuilder.build(store: store, device: 1)
        #expect(report.eventsByClusterJSON == "{\"-1\": 1, \"0\": 4, \"1\": 3, \"2\": 2}\n")
        #expect(report.averageActivePowerJSON == "{\"-1\": 5000.0, \"0\": 115.0, \"1\": 2050.0, \"2\": 902.5}\n")
        #expect(report.clusters.map(\.label) == [-1, 0, 1, 2, 3])
        #expect(report.clusters.map(\.events) == [1, 4, 3, 2, 0])
        #expect(report.events == 10)
        #expect(report.clusterCount == 4)
        #expect(report.noiseEvents == 1)
        #expect(report.points.count == 10)
        #expect(report.points.labels == ReportFixtures.labels)
        #expect(report.points.activePower == ReportFixtures.actives)
    }

    @Test func summaryHoldsTheRunAndEveryGroupsStatistics() throws {
        let store = try ReportFixtures.sampleStore(databasePath)
        defer { store.close() }
        let report = try ReportBuilder.build(store: store, device: 1)
        // JSONDecoder reads numbers exactly; JSONSerialization on Linux may be off by one ulp.
        let summary = try JSONDecoder().decode(SummaryFile.self, from: Data(report.summaryJSON.utf8))
        #expect(summary.schema_version == 1)
        #expect(summary.device == 1)
        #expect(summary.std_ddof == 0)
        #expect(summary.features == SensorEvent.featureNames)
        let run = summary.run
        #expect(run.id == 1)
        #expect(run.events == 10)
        #expect(run.first_event_id == 1)
        #expect(run.last_event_id == 10)
        #expect(run.bandwidth == 250.5)
        #expect(run.n_iter == 7)
        #expect(run.clusters == 4)
        #expect(run.noise_events == 1)
        #expect(run.command == "energy-cluster --test")
        #expect(run.started_at == "2026-12-03T10:00:00.000Z")
        #expect(run.finished_at == "2026-12-03T10:00:01.500Z")
        #expect(run.seconds == 0.125)
        #expect(run.measured_at == ["earliest": "2016-10-04T16:47:00Z", "latest": "2016-10-04T16:47:09Z"])

        let clusters = summary.clusters
        #expect(clusters.map(\.label) == [-1, 0, 1, 2, 3])
        #expect(clusters.map(\.noise) == [true, false, false, false, false])
        #expect(clusters.map(\.events) == [1, 4, 3, 2, 0])
        #expect(clusters.map(\.share) == [0.1, 0.4, 0.3, 0.2, 0.0])
        #expect(clusters[0].center == nil)
        #expect(clusters[4].features == nil)
        #expect(
            clusters[4].center
                == Dictionary(uniqueKeysWithValues: zip(SensorEvent.featureNames, ReportFixtures.centers[3])))
        #expect(
            clusters[1].center
                == Dictionary(uniqueKeysWithValues: zip(SensorEvent.featureNames, ReportFixtures.centers[0])))

        let features = try #require(clusters[1].features)
        #expect(Set(features.keys) == Set(SensorEvent.featureNames))
        #expect(features["active_power_w"] == ["mean": 115, "min": 100, "max": 130, "std": 125.0.squareRoot()])
        #expect(features["reactive_power_var"] == ["mean": 279, "min": 279, "max": 279, "std": 0])
        #expect(features["current_a"]?["min"] == 0.5)
        #expect(features["current_a"]?["max"] == 0.65)
        #expect(features["peak_3"]?["min"] == 1.25)
        #expect(clusters[0].features?["active_power_w"] == ["mean": 5000, "min": 5000, "max": 5000, "std": 0])
    }

    /// The shape of `summary.json`, member names as written.
    struct SummaryFile: Decodable {
        struct Run: Decodable {
            var id: Int
            var events: Int
            var first_event_id: Int?
            var last_event_id: Int?
            var measured_at: [String: String]
            var bandwidth: Double?
            var n_iter: Int?
            var clusters: Int
            var noise_events: Int
            var command: String
            var started_at: String
            var finished_at: String?
            var seconds: Double?
        }

        struct Cluster: Decodable {
            var label: Int
            var noise: Bool
            var events: Int
            var share: Double
            var features: [String: [String: Double]]?
            var center: [String: Double]?
        }

        var schema_version: Int
        var device: Int
        var run: Run
        var features: [String]
        var std_ddof: Int
        var clusters: [Cluster]
    }

    @Test func theSummaryTextIsIndentedJSONWithOneMemberPerLine() throws {
        let store = try ReportFixtures.sampleStore(databasePath)
        defer { store.close() }
        let text = try ReportBuilder.build(store: store, device: 1).summaryJSON
        #expect(text.hasPrefix("{\n  \"schema_version\": 1,\n  \"device\": 1,\n  \"run\": {\n    \"id\": 1,\n"))
        #expect(text.hasSuffix("}\n"))
    }

    @Test func theLatestSucceededRunWinsAndAFailedRunChangesNothing() throws {
        let store = try ReportFixtures.sampleStore(databasePath)
        defer { store.close() }
        try ReportFixtures.store([ReportFixtures.event(active: 7000, current: 30)], in: store)
        let second = try ReportFixtures.finishRun(
            store, labels: [0, 0, 0, 1, 1, 1, 0, 1, 1, -1, -1], centers: Array(ReportFixtures.centers.prefix(2)))
        let failed = try store.startRun(
            device: 1, events: 11, firstEventID: 1, lastEventID: 11, command: "x", startedAt: "2026-12-03T11:00:00Z")
        try store.failRun(id: failed, error: "boom", finishedAt: "2026-12-03T11:00:01Z")
        let report = try ReportBuilder.build(store: store, device: 1)
        #expect(report.run.id == second)
        #expect(report.events == 11)
        #expect(report.eventsByClusterJSON == "{\"-1\": 2, \"0\": 4, \"1\": 5}\n")
        #expect(report.averageActivePowerJSON == "{\"-1\": 3952.5, \"0\": 115.0, \"1\": 2410.0}\n")
    }

    @Test func aRunCoversOnlyTheEventsItLabelled() throws {
        let store = try ReportFixtures.sampleStore(databasePath)
        defer { store.close() }
        try ReportFixtures.store((0..<5).map { ReportFixtures.event(active: 42 + Double($0), current: 1) }, in: store)
        let report = try ReportBuilder.build(store: store, device: 1)
        #expect(report.events == 10)
        #expect(report.points.count == 10)
    }

    @Test func aDeviceWithoutASucceededRunHasNoReport() throws {
        let store = try ReportFixtures.sampleStore(databasePath)
        defer { store.close() }
        #expect(throws: ReportError.notClustered(device: 2)) { try ReportBuilder.build(store: store, device: 2) }
        #expect(
            ReportError.notClustered(device: 7).description
                == "device 7 has not been clustered yet; run `energy-agent cluster --device 7`")
    }
}

@Suite struct StatisticsTests {
    // Expected values computed with NumPy 2.4.6: numpy.mean / numpy.std of the same arrays.
    @Test func meanAndStdMatchNumPyToTheLastBit() {
        let ramp = (0..<1000).map { Double($0) * 0.1 + 1.0 / 3.0 }
        let statistics = FeatureStatistics(of: ramp)
        #expect(statistics.mean == 50.28333333333334)
        #expect(statistics.standardDeviation == 28.86749902572095)
        let tenths = FeatureStatistics(of: Array(repeating: 0.1, count: 300))
        #expect(tenths.mean == 0.09999999999999999)
        #expect(tenths.standardDeviation == 1.3877787807814457e-17)
        #expect(tenths.min == 0.1 && tenths.max == 0.1)
    }

    @Test(arguments: [1, 7, 8, 9, 127, 128, 129, 1000, 4099])
    func pairwiseSumsOfIntegersAreExact(count: Int) {
        let values = (0..<count).map(Double.init)
        let statistics = FeatureStatistics(of: values)
        #expect(statistics.mean == Double(count - 1) / 2)
        #expect(statistics.min == 0 && statistics.max == Double(count - 1))
    }
}
