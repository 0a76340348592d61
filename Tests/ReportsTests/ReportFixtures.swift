import EventStore
import Foundation
import SensorFormat
import TestSupport

/// Stores with known events and runs, and paths of the shared test data.
enum ReportFixtures {
    /// `../shared/data`, present on CI, absent on a plain clone.
    static let sharedData = Repository.sharedData.path

    static var hasRealCapture: Bool { Repository.hasRealCapture }

    /// An event whose features are all derived from `active` and `current`.
    static func event(device: Int64 = 1, active: Double, current: Double, second: Int = 0) -> SensorEvent {
        SensorEvent(
            deviceID: device, firmware: 1, eventCode: 2, coilReversed: false, activePower: active,
            reactivePower: 279, apparentPower: 403, current: current, voltage: 230.08, phase: 0.5,
            peaks: [current + 0.25, current + 0.5, current + 0.75, 1], fftReal: [1, 2], fftImaginary: [3, 4],
            measuredAt: UTCTimestamp(year: 2016, month: 10, day: 4, hour: 16, minute: 47, second: second)!,
            frequency: 50, wifiStrength: -60, dummy: nil)
    }

    /// Stores events and returns their ids.
    @discardableResult
    static func store(_ events: [SensorEvent], in store: EventStore) throws -> [Int64] {
        var ids: [Int64] = []
        for (index, event) in events.enumerated() {
            let line = "event \(event.deviceID) \(index) \(event.activePower) \(store.database.path)"
            let outcome = try Array(line.utf8).withUnsafeBytes {
                try store.store(
                    event, line: $0, source: "test", sourceLine: index + 1, receivedAt: "2026-12-03T00:00:00.000Z")
            }
            guard case .stored(let id) = outcome else { fatalError("duplicate test event") }
            ids.append(id)
        }
        return ids
    }

    /// Records a succeeded run over the first `labels.count` events of a device.
    @discardableResult
    static func finishRun(
        _ store: EventStore, device: Int64 = 1, labels: [Int], centers: [[Double]], bandwidth: Double = 250.5,
        iterations: Int = 7, seconds: Double? = 0.125
    ) throws -> Int64 {
        let rows = try store.features(device: device, limit: labels.count)
        let id = try store.startRun(
            device: device, events: rows.count, firstEventID: rows.eventIDs.first, lastEventID: rows.eventIDs.last,
            command: "energy-cluster --test", startedAt: "2026-12-03T10:00:00.000Z")
        try store.finishRun(
            id: id, eventIDs: rows.eventIDs,
            outcome: ClusterOutcome(
                labels: labels, bandwidth: bandwidth, iterations: iterations, centers: centers, seconds: seconds),
            finishedAt: "2026-12-03T10:00:01.500Z")
        return id
    }

    static let actives: [Double] = [100, 110, 120, 2000, 2100, 900, 130, 2050, 5000, 905]
    static let labels = [0, 0, 0, 1, 1, 2, 0, 1, -1, 2]
    /// Four centers: label 3 has a center but no event.
    static let centers: [[Double]] = (0..<4).map { label in (0..<8).map { Double(label * 10 + $0) + 0.5 } }

    /// Device 1: the ten events above, clustered once. Device 2: three events, never clustered.
    static func sampleStore(_ path: String) throws -> EventStore {
        let store = try EventStore(path: path)
        let events = actives.enumerated().map { index, active in
            event(active: active, current: active / 200, second: [5, 3, 9, 1, 7, 2, 8, 4, 6, 0][index])
        }
        try self.store(events, in: store)
        try self.store((0..<3).map { event(device: 2, active: 50 + Double($0), current: 0.25) }, in: store)
        try finishRun(store, labels: labels, centers: centers)
        return store
    }

    static func readText(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8)
    }

    static func readJSON(_ path: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
