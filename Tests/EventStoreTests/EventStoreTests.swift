import EventStore
import SensorFormat
import TestSupport
import Testing

func sampleEvent(device: Int64 = 1, active: Double = 1753, dummy: Int64? = 20, extra: [ExtraSection] = []) -> SensorEvent {
    SensorEvent(
        deviceID: device, firmware: 16_071_801, eventCode: 2, coilReversed: false, activePower: active,
        reactivePower: 279, apparentPower: 403, current: 7.35900021, voltage: 230.08, phase: -43.841,
        peaks: [7.33199978, 7.3119998, 7.53000021, 7.48400021], fftReal: [9748, 46, -455], fftImaginary: [2712, 6, 462],
        measuredAt: UTCTimestamp(year: 2016, month: 10, day: 4, hour: 16, minute: 47, second: 50)!, frequency: 49.87,
        wifiStrength: -62, dummy: dummy, extra: extra)
}

func withBytes<T>(_ text: String, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
    try Array(text.utf8).withUnsafeBytes(body)
}

@Suite struct EventStoreTests {
    let directory = TemporaryDirectory()
    var path: String { directory.path + "/energy.db" }

    @Test func createsTheSchemaInWALModeWithItsVersion() throws {
        let store = try EventStore(path: path)
        defer { store.close() }
        #expect(try store.database.text("PRAGMA journal_mode") == "wal")
        #expect(try store.database.integer("PRAGMA user_version") == 1)
        #expect(try store.database.integer("PRAGMA foreign_keys") == 1)
        #expect(try store.database.text("PRAGMA integrity_check") == "ok")
    }

    @Test func refusesADatabaseFromANewerVersion() throws {
        do {
            let store = try EventStore(path: path)
            try store.database.execute("PRAGMA user_version = 99")
            store.close()
        }
        #expect {
            try EventStore(path: path)
        } throws: { error in
            (error as? DatabaseError)?.message == "schema version 99 is newer than the 1 this build knows"
        }
    }

    @Test func storesAnEventAndReadsItBackExactly() throws {
        let store = try EventStore(path: path)
        defer { store.close() }
        let event = sampleEvent(extra: [ExtraSection(name: "Note", value: "a \"quoted\" value")])
        let outcome = try withBytes("line one") {
            try store.store(event, line: $0, source: "capture.log", sourceLine: 7, receivedAt: "2026-12-03T13:00:00.000Z")
        }
        #expect(outcome == .stored(id: 1))
        var read: [StoredEvent] = []
        try store.forEachEvent(device: nil) { read.append($0) }
        #expect(read.count == 1)
        var expected = event
        expected.extra = []
        #expect(read[0].event == expected)
        #expect(read[0].extraJSON == #"{"Note":"a \"quoted\" value"}"#)
        #expect(read[0].label == nil)
        #expect(read[0].sourceDescription == "capture.log:7")
        #expect(read[0].receivedAt == "2026-12-03T13:00:00.000Z")
        #expect(read[0].timesSeen == 1)
    }

    @Test func countsTheSameLineOfTheSameDeviceInsteadOfStoringItTwice() throws {
        let store = try EventStore(path: path)
        defer { store.close() }
        let first = try withBytes("same") { try store.store(sampleEvent(), line: $0, source: "a", sourceLine: 1, receivedAt: "t") }
        let again = try withBytes("same") { try store.store(sampleEvent(), line: $0, source: "a", sourceLine: 1, receivedAt: "t") }
        let otherDevice = try withBytes("same") {
            try store.store(sampleEvent(device: 2), line: $0, source: "a", sourceLine: 1, receivedAt: "t")
        }
        #expect(first == .stored(id: 1))
        #expect(again == .duplicate(id: 1))
        #expect(otherDevice == .stored(id: 2))
        #expect(try store.eventCounts() == [1: 1, 2: 1])
        #expect(try store.database.integer("SELECT times_seen FROM events WHERE id = 1") == 2)
    }

    @Test func keepsRejectedLinesWithReasonAndCountsRepeats() throws {
        let store = try EventStore(path: path)
        defer { store.close() }
        let error = ParseError(field: "Line.Current", message: "missing")
        let first = try withBytes("broken") {
            try store.reject(line: $0, length: $0.count, error: error, source: "a", sourceLine: 3, receivedAt: "t1")
        }
        let again = try withBytes("broken") {
            try store.reject(line: $0, length: $0.count, error: error, source: "a", sourceLine: 9, receivedAt: "t2")
        }
        #expect(first == .stored(id: 1))
        #expect(again == .seenAgain(id: 1))
        var lines: [EventStore.RejectedLine] = []
        try store.forEachRejectedLine { lines.append($0) }
        #expect(lines.count == 1)
        #expect(lines[0].raw == Array("broken".utf8))
        #expect(lines[0].reason == "Line.Current: missing")
        #expect(lines[0].field == "Line.Current")
        #expect(lines[0].timesSeen == 2)
        #expect(lines[0].sourceLine == 3)
        #expect(try store.database.text("SELECT last_seen_at FROM rejected_lines") == "t2")
    }

    @Test func overlongLinesWithTheSameKeptBytesButOtherLengthsAreDistinct() throws {
        let store = try EventStore(path: path)
        defer { store.close() }
        let error = ParseError(field: "line", message: "too long")
        let a = try withBytes("prefix") { try store.reject(line: $0, length: 20000, error: error, source: "a", sourceLine: 1, receivedAt: "t") }
        let b = try withBytes("prefix") { try store.reject(line: $0, length: 30000, error: error, source: "a", sourceLine: 2, receivedAt: "t") }
        #expect(a == .stored(id: 1))
        #expect(b == .stored(id: 2))
    }

    @Test func featuresComeInIdOrderForOneDevice() throws {
        let store = try EventStore(path: path)
        defer { store.close() }
        try store.begin()
        for index in 0..<5 {
            _ = try withBytes("d1 \(index)") {
                try store.store(sampleEvent(active: Double(index)), line: $0, source: "a", sourceLine: index, receivedAt: "t")
            }
            _ = try withBytes("d2 \(index)") {
                try store.store(sampleEvent(device: 2, active: Double(100 + index)), line: $0, source: "a", sourceLine: index, receivedAt: "t")
            }
        }
        try store.commit()
        let rows = try store.features(device: 2, limit: 3)
        #expect(rows.eventIDs == [2, 4, 6])
        #expect(rows.values.count == 24)
        #expect(rows.values[0] == 100)
        #expect(rows.values[8] == 101)
        #expect(Array(rows.values[0..<8]) == [100, 279, 403, 7.35900021, 230.08, 7.33199978, 7.3119998, 7.53000021])
        #expect(try store.features(device: 1, limit: nil).count == 5)
        #expect(try store.devices() == [1, 2])
    }

    @Test func aFinishedRunLabelsEveryCoveredEventInOneGo() throws {
        let store = try EventStore(path: path)
        defer { store.close() }
        for index in 0..<4 {
            _ = try withBytes("e\(index)") { try store.store(sampleEvent(), line: $0, source: "a", sourceLine: index, receivedAt: "t") }
        }
        let run = try store.startRun(device: 1, events: 3, firstEventID: 1, lastEventID: 3, command: "energy-cluster", startedAt: "s")
        #expect(try store.runs(device: 1).first?.status == .running)
        let outcome = ClusterOutcome(
            labels: [0, -1, 1], bandwidth: 2.5, iterations: 4, centers: [Array(repeating: 1, count: 8), Array(repeating: 2, count: 8)],
            seconds: 0.01)
        try store.finishRun(id: run, eventIDs: [1, 2, 3], outcome: outcome, finishedAt: "f")
        var labels: [Int?] = []
        try store.forEachEvent(device: 1) { labels.append($0.label) }
        #expect(labels == [0, -1, 1, nil])
        let stored = try #require(try store.latestSucceededRun(device: 1))
        #expect(stored.bandwidth == 2.5)
        #expect(stored.iterations == 4)
        #expect(stored.clusters == 2)
        #expect(stored.finishedAt == "f")
        #expect(try store.centers(run: run) == outcome.centers)
    }

    @Test func runsLeftRunningAreMarkedFailedAtTheNextStart() throws {
        let store = try EventStore(path: path)
        defer { store.close() }
        _ = try store.startRun(device: 3, events: 1000, firstEventID: 1, lastEventID: 1000, command: "c", startedAt: "s")
        let failed = try store.startRun(device: 4, events: 1000, firstEventID: 1, lastEventID: 1000, command: "c", startedAt: "s")
        try store.failRun(id: failed, error: "exit status 1", finishedAt: "f")
        #expect(try store.failAbandonedRuns(finishedAt: "now") == [3])
        let runs = try store.runs(device: nil)
        #expect(runs.allSatisfy { $0.status == .failed })
        #expect(runs.last?.error == "the agent stopped before the run finished")
        #expect(runs.first?.error == "exit status 1")
    }

    @Test func aTransactionRolledBackStoresNothing() throws {
        let store = try EventStore(path: path)
        defer { store.close() }
        try store.begin()
        _ = try withBytes("x") { try store.store(sampleEvent(), line: $0, source: "a", sourceLine: 1, receivedAt: "t") }
        store.rollback()
        #expect(try store.totals().events == 0)
    }

    @Test func anUnopenableFileGivesAClearError() throws {
        #expect {
            try EventStore(path: directory.path + "/missing/dir/energy.db")
        } throws: { error in
            let text = "\(error)"
            return text.contains("missing/dir/energy.db") && text.contains("unable to open")
        }
    }
}

@Suite struct LineHashTests {
    @Test func differsForDifferentBytesAndLengths() {
        var seen = Set<LineHash>()
        for length in 0..<64 {
            let bytes = [UInt8](repeating: 0x41, count: length)
            _ = bytes.withUnsafeBytes { seen.insert(LineHash($0, length: length)) }
        }
        #expect(seen.count == 64)
        let a = [UInt8]("Device: ID=1".utf8)
        let b = [UInt8]("Device: ID=2".utf8)
        let ha = a.withUnsafeBytes { LineHash($0, length: $0.count) }
        let hb = b.withUnsafeBytes { LineHash($0, length: $0.count) }
        #expect(ha != hb)
        #expect(ha.bytes.count == 16)
    }
}

@Suite struct JSONTextTests {
    @Test(arguments: [
        ("plain", #""plain""#), ("a\"b", #""a\"b""#), ("back\\slash", #""back\\slash""#), ("tab\t", #""tab\t""#),
        ("\u{01}", #""\u0001""#), ("é", #""é""#),
    ])
    func quotesStrings(input: String, expected: String) {
        #expect(JSONText.quote(input) == expected)
    }

    @Test func writesNumbersThatReadBackExactly() {
        #expect(JSONText.number(1753) == "1753.0")
        #expect(JSONText.number(7.3119998) == "7.3119998")
        #expect(JSONText.number(.nan) == "null")
        #expect(JSONText.array([1, 2.5]) == "[1.0,2.5]")
    }
}
