import SensorFormat

/// An event as stored: the clean record plus what the store added.
public struct StoredEvent: Sendable {
    /// `id`: the row id, in ingestion order.
    public var id: Int64
    /// The clean record. Its `extra` sections are in ``extraJSON``.
    public var event: SensorEvent
    /// `extra` as a JSON object text, `nil` when the line had no unknown sections.
    public var extraJSON: String?
    /// `label`: the cluster, -1 for noise, `nil` until clustered.
    public var label: Int?
    /// `cluster_run`: the run that gave the label.
    public var clusterRun: Int64?
    /// `received_at`: when the line arrived, ISO 8601 UTC.
    public var receivedAt: String
    /// The tty path or capture file.
    public var source: String
    /// The line number in the capture file; `nil` for a tty.
    public var sourceLine: Int?
    /// How many times the same line arrived.
    public var timesSeen: Int

    /// `source` as exports show it: the tty path, or `file:line` for a replayed capture.
    public var sourceDescription: String {
        sourceLine.map { "\(source):\($0)" } ?? source
    }
}

extension EventStore {
    /// Calls `body` with every stored event of a device (every device when `nil`), in id order,
    /// one row at a time so that memory stays flat.
    public func forEachEvent(device: Int64?, _ body: (StoredEvent) throws -> Void) throws {
        let statement = try database.prepare(
            """
            SELECT id, device_id, firmware, event_code, coil_reversed, active_power_w, reactive_power_var,
                apparent_power_va, current_a, voltage_v, phase_rad, peaks, fft_re, fft_im, measured_at,
                frequency_hz, wifi_strength_dbm, dummy, extra, label, cluster_run, received_at, source,
                source_line, times_seen
            FROM events WHERE ?1 IS NULL OR device_id = ?1 ORDER BY id
            """)
        statement.bind(device, at: 1)
        func doubles(_ column: Int32) -> [Double] {
            let blob = statement.blob(at: column)
            return (0..<(blob.count / 8)).map { blob.loadUnaligned(fromByteOffset: $0 * 8, as: Double.self) }
        }
        while try statement.step() {
            let measuredAt = Self.parseStoredTimestamp(statement.text(at: 14) ?? "")
            let event = SensorEvent(
                deviceID: statement.int64(at: 1), firmware: statement.int64(at: 2), eventCode: statement.int64(at: 3),
                coilReversed: statement.int64(at: 4) != 0, activePower: statement.double(at: 5),
                reactivePower: statement.double(at: 6), apparentPower: statement.double(at: 7),
                current: statement.double(at: 8), voltage: statement.double(at: 9), phase: statement.double(at: 10),
                peaks: doubles(11), fftReal: doubles(12), fftImaginary: doubles(13), measuredAt: measuredAt,
                frequency: statement.double(at: 15), wifiStrength: statement.int64(at: 16),
                dummy: statement.optionalInt64(at: 17))
            try body(
                StoredEvent(
                    id: statement.int64(at: 0), event: event, extraJSON: statement.text(at: 18),
                    label: statement.optionalInt64(at: 19).map(Int.init), clusterRun: statement.optionalInt64(at: 20),
                    receivedAt: statement.text(at: 21) ?? "", source: statement.text(at: 22) ?? "",
                    sourceLine: statement.optionalInt64(at: 23).map(Int.init),
                    timesSeen: Int(statement.int64(at: 24))))
        }
    }

    /// Reads back `measured_at` as written by ``store(_:line:source:sourceLine:receivedAt:)``.
    static func parseStoredTimestamp(_ text: String) -> UTCTimestamp {
        let bytes = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int {
            guard start + count <= bytes.count else { return 0 }
            return bytes[start..<(start + count)].reduce(0) { $0 * 10 + Int($1) - 48 }
        }
        return UTCTimestamp(
            year: number(0, 4), month: number(5, 2), day: number(8, 2), hour: number(11, 2), minute: number(14, 2),
            second: number(17, 2)) ?? UTCTimestamp(year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0)!
    }

    /// A line rejected by the parser, as stored.
    public struct RejectedLine: Sendable {
        public var id: Int64
        public var raw: [UInt8]
        public var length: Int
        public var reason: String
        public var field: String
        public var source: String
        public var sourceLine: Int?
        public var receivedAt: String
        public var timesSeen: Int
    }

    /// Calls `body` with every rejected line, in id order.
    public func forEachRejectedLine(_ body: (RejectedLine) throws -> Void) throws {
        let statement = try database.prepare(
            """
            SELECT id, raw, length, reason, field, source, source_line, received_at, times_seen
            FROM rejected_lines ORDER BY id
            """)
        while try statement.step() {
            try body(
                RejectedLine(
                    id: statement.int64(at: 0), raw: Array(statement.blob(at: 1)), length: Int(statement.int64(at: 2)),
                    reason: statement.text(at: 3) ?? "", field: statement.text(at: 4) ?? "",
                    source: statement.text(at: 5) ?? "", sourceLine: statement.optionalInt64(at: 6).map(Int.init),
                    receivedAt: statement.text(at: 7) ?? "", timesSeen: Int(statement.int64(at: 8))))
        }
    }

    /// The number of rejected lines per reason field, most frequent first.
    public func rejectedCountsByField() throws -> [(field: String, count: Int)] {
        let statement = try database.prepare(
            "SELECT field, count(*) FROM rejected_lines GROUP BY field ORDER BY count(*) DESC, field")
        var result: [(String, Int)] = []
        while try statement.step() { result.append((statement.text(at: 0) ?? "", Int(statement.int64(at: 1)))) }
        return result
    }
}
