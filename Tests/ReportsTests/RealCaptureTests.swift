import EventStore
import Foundation
import Reports
import SensorFormat
import TestSupport
import Testing

/// The real capture, parsed and labelled as scikit-learn labelled it, gives the report the data
/// folder's README expects, to the last bit.
@Suite struct RealCaptureTests {
    let directory = TemporaryDirectory()

    struct SklearnFile: Decodable {
        struct Run: Decodable {
            var bandwidth: Double
            var labels: [Int]
            var n_iter: Int
            var centers: [[Double]]
        }

        var runs: [Run]
    }

    @Test func theReportOfTheRealCaptureMatchesTheExpectedCountsAndMeans() throws {
        guard ReportFixtures.hasRealCapture else {
            print("note: \(ReportFixtures.sharedData)/events-real-1000.log is absent; real capture report test skipped")
            return
        }
        let store = try EventStore(path: directory.path + "/energy.db")
        defer { store.close() }
        let text = try String(contentsOfFile: ReportFixtures.sharedData + "/events-real-1000.log", encoding: .utf8)
        let parser = EventParser()
        for (index, line) in text.split(separator: "\n").enumerated() {
            let event = try parser.parse(String(line))
            _ = try Array(line.utf8).withUnsafeBytes {
                try store.store(
                    event, line: $0, source: "real", sourceLine: index + 1, receivedAt: "2026-12-03T00:00:00Z")
            }
        }
        // JSONDecoder, not JSONSerialization: it reads every double exactly.
        let sklearn = try JSONDecoder().decode(
            SklearnFile.self,
            from: Data(contentsOf: URL(fileURLWithPath: ReportFixtures.sharedData + "/events-real-1000.sklearn.json")))
        let run = try #require(sklearn.runs.first)
        try ReportFixtures.finishRun(
            store, labels: run.labels, centers: run.centers, bandwidth: run.bandwidth, iterations: run.n_iter)
        let report = try ReportBuilder.build(store: store, device: 1)
        #expect(
            report.eventsByClusterJSON == "{\"-1\": 101, \"0\": 322, \"1\": 281, \"2\": 145, \"3\": 133, \"4\": 18}\n")
        #expect(
            report.averageActivePowerJSON
                == "{\"-1\": 1968.6336633663366, \"0\": 270.1583850931677, \"1\": 1718.338078291815, "
                + "\"2\": 1228.6482758620689, \"3\": 2296.3383458646617, \"4\": 3590.4444444444443}\n")
        let svg = ClusterPlot.svg(report)
        #expect(svg.components(separatedBy: "<circle ").count - 1 == 1000)
    }
}
