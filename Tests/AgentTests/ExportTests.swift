import Agent
import EventStore
import Foundation
import TestSupport
import Testing

@Suite struct ExportTests {
    let directory = TemporaryDirectory()
    var dataDir: String { directory.path + "/data" }

    init() throws {
        #expect(
            try ReplayCommand.main([
                "--data-dir", dataDir, "--cluster-every", "0", "--quiet", Fixtures.path("household-dirty-2000.log"),
            ]) == .success)
    }

    func export(_ format: String) throws -> String {
        let output = directory.path + "/export.\(format)"
        #expect(try ExportCommand.main(["--data-dir", dataDir, "--format", format, "--output", output]) == .success)
        return try String(contentsOfFile: output, encoding: .utf8)
    }

    func storedEvents() throws -> [StoredEvent] {
        let store = try EventStore(path: dataDir + "/energy.db")
        defer { store.close() }
        var events: [StoredEvent] = []
        try store.forEachEvent(device: nil) { events.append($0) }
        return events
    }

    func check(_ objects: [[String: Any]]) throws {
        let events = try storedEvents()
        #expect(objects.count == events.count)
        #expect(events.count == 2000)
        for (object, stored) in zip(objects, events) {
            #expect(object.keys.sorted() == ExportFormat.columns.sorted())
            #expect((object["id"] as? NSNumber)?.int64Value == stored.id)
            #expect((object["active_power_w"] as? NSNumber)?.doubleValue == stored.event.activePower)
            #expect((object["current_a"] as? NSNumber)?.doubleValue == stored.event.current)
            #expect((object["peaks"] as? [NSNumber])?.map(\.doubleValue) == stored.event.peaks)
            #expect((object["fft_im"] as? [NSNumber])?.map(\.doubleValue) == stored.event.fftImaginary)
            #expect(object["measured_at"] as? String == stored.event.measuredAt.iso8601)
            #expect(object["label"] is NSNull)
            #expect(object["source"] as? String == stored.sourceDescription)
        }
    }

    @Test func ndjsonRoundTrip() throws {
        let lines = try export("ndjson").split(separator: "\n")
        let objects = try lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        try check(objects)
    }

    @Test func jsonRoundTrip() throws {
        let objects = try #require(try JSONSerialization.jsonObject(with: Data(export("json").utf8)) as? [[String: Any]])
        try check(objects)
    }

    @Test func csvRoundTrip() throws {
        let text = try export("csv")
        let rows = text.split(separator: "\r\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows.first == ExportFormat.columns)
        let events = try storedEvents()
        #expect(rows.count - 1 == events.count)
        let column = Dictionary(uniqueKeysWithValues: ExportFormat.columns.enumerated().map { ($1, $0) })
        for (row, stored) in zip(rows.dropFirst(), events) {
            #expect(row.count == ExportFormat.columns.count)
            #expect(Double(row[column["voltage_v"]!]) == stored.event.voltage)
            #expect(row[column["peaks"]!].split(separator: ";").map { Double($0)! } == stored.event.peaks)
            #expect(row[column["label"]!] == "")
            #expect(row[column["coil_reversed"]!] == (stored.event.coilReversed ? "true" : "false"))
        }
    }

    @Test func anEmptyJSONExportIsAnEmptyArray() throws {
        let output = directory.path + "/none.json"
        #expect(try ExportCommand.main(["--data-dir", dataDir, "--device", "999", "--format", "json", "--output", output]) == .success)
        #expect(try String(contentsOfFile: output, encoding: .utf8) == "[]\n")
    }

    @Test func exportWithoutADatabaseSaysSo() {
        #expect {
            try ExportCommand.main(["--data-dir", directory.path + "/empty"])
        } throws: { error in
            (error as? CommandError)?.code == .noInput
        }
    }
}
