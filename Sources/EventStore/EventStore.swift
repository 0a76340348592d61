import CSQLite
import SensorFormat

/// The agent's SQLite database: events, rejected lines, clustering runs and their labels.
///
/// One process writes it (the agent); readers may open it at the same time thanks to WAL mode.
/// Every value is bound to a prepared statement; no SQL is built from input.
public final class EventStore {
    /// What became of a parsed line handed to ``store(_:line:length:source:sourceLine:receivedAt:)``.
    public enum StoreOutcome: Equatable, Sendable {
        /// Stored as a new event with this id.
        case stored(id: Int64)
        /// The same bytes were already stored for the device: only its count went up.
        case duplicate(id: Int64)
    }

    /// What became of a rejected line.
    public enum RejectOutcome: Equatable, Sendable {
        /// Stored as a new rejected line.
        case stored(id: Int64)
        /// The same bytes were already rejected: only `times_seen` went up.
        case seenAgain(id: Int64)
    }

    /// The connection.
    public let database: Database
    private let insertEvent: Statement
    private let insertRejected: Statement
    private let findKey: Statement
    private var boundSource: String?
    private var boundReceivedAt: String?
    private let countDuplicate: Statement

    /// Opens the database, creating it and applying migrations as needed.
    /// - Parameter path: the database file; its directory must exist.
    /// - Throws: ``DatabaseError`` when the file cannot be opened or is newer than this build.
    public init(path: String) throws {
        database = try Database(path: path)
        database.setBusyTimeout(milliseconds: 5000)
        // 16 KiB pages (for a new database; an existing one keeps its own): rows of about 350
        // bytes split pages less often, and the WAL writes fewer, larger frames.
        try database.execute("PRAGMA page_size = 16384")
        try database.execute("PRAGMA journal_mode = WAL")
        try database.execute("PRAGMA synchronous = NORMAL")
        try database.execute("PRAGMA foreign_keys = ON")
        // 16 MB of page cache: the indexes' hot pages stay in memory during long replays.
        try database.execute("PRAGMA cache_size = -16384")
        // Checkpoint the WAL every 8192 pages (32 MB) rather than every 1000: fewer, larger
        // copies into the database file during long replays.
        try database.execute("PRAGMA wal_autocheckpoint = 8192")
        try Self.migrate(database)
        insertEvent = try database.prepare(
            """
            INSERT INTO events (
                device_id, firmware, event_code, coil_reversed, active_power_w, reactive_power_var,
                apparent_power_va, current_a, voltage_v, phase_rad, peaks, fft_re, fft_im, measured_at,
                frequency_hz, wifi_strength_dbm, dummy, extra, received_at, source, source_line, line_hash, line_key)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)
            ON CONFLICT (line_key) DO NOTHING
            """)
        findKey = try database.prepare("SELECT id, line_hash FROM events WHERE line_key = ?1")
        countDuplicate = try database.prepare("UPDATE events SET times_seen = times_seen + 1 WHERE id = ?1")
        insertRejected = try database.prepare(
            """
            INSERT INTO rejected_lines (
                raw, length, reason, field, source, source_line, received_at, last_seen_at, line_hash)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8)
            ON CONFLICT (line_hash) DO UPDATE SET times_seen = times_seen + 1, last_seen_at = excluded.last_seen_at
            RETURNING id, times_seen
            """)
    }

    /// Closes the connection.
    public func close() {
        database.close()
    }

    private static func migrate(_ database: Database) throws {
        let version = try database.integer("PRAGMA user_version")
        if version > Schema.currentVersion {
            throw DatabaseError(
                code: SQLITE_ERROR,
                message: "schema version \(version) is newer than the \(Schema.currentVersion) this build knows",
                path: database.path)
        }
        guard version < Schema.currentVersion else { return }
        try database.transaction {
            for index in Int(version)..<Schema.migrations.count {
                try database.execute(Schema.migrations[index])
            }
            try database.execute("PRAGMA user_version = \(Schema.currentVersion)")
        }
    }

    // MARK: Transactions

    /// Opens a write transaction for a batch of inserts.
    public func begin() throws {
        try database.execute("BEGIN IMMEDIATE")
    }

    /// Commits the open transaction.
    public func commit() throws {
        try database.execute("COMMIT")
    }

    /// Rolls the open transaction back, if one is open.
    public func rollback() {
        if database.isInTransaction { try? database.execute("ROLLBACK") }
    }

    /// Whether a transaction is open.
    public var isInTransaction: Bool { database.isInTransaction }

    // MARK: Inserts

    /// Stores a parsed event, or counts it when the same bytes are already stored for its device.
    /// - Parameters:
    ///   - event: the parsed event.
    ///   - line: the line's bytes (line ending excluded), from which it was parsed.
    ///   - hash: the line's hash seeded with the device id, when already computed.
    ///   - source: the tty path or capture file.
    ///   - sourceLine: the line number in a capture file, `nil` for a tty.
    ///   - receivedAt: when the line arrived, ISO 8601 UTC.
    public func store(
        _ event: SensorEvent, line: UnsafeRawBufferPointer, hash: LineHash? = nil, source: String, sourceLine: Int?,
        receivedAt: String
    ) throws -> StoreOutcome {
        let s = insertEvent
        s.bind(event.deviceID, at: 1)
        s.bind(event.firmware, at: 2)
        s.bind(event.eventCode, at: 3)
        s.bind(event.coilReversed ? 1 : 0 as Int64, at: 4)
        s.bind(event.activePower, at: 5)
        s.bind(event.reactivePower, at: 6)
        s.bind(event.apparentPower, at: 7)
        s.bind(event.current, at: 8)
        s.bind(event.voltage, at: 9)
        s.bind(event.phase, at: 10)
        s.bind(event.frequency, at: 15)
        s.bind(event.wifiStrength, at: 16)
        s.bind(event.dummy, at: 17)
        if event.extra.isEmpty {
            s.bindNull(at: 18)
        } else {
            s.bind(JSONText.object(event.extra.map { ($0.name, JSONText.quote($0.value)) }), at: 18)
        }
        // Bindings outlive a reset: text that repeats from row to row is bound only when it changes.
        if receivedAt != boundReceivedAt {
            s.bind(receivedAt, at: 19)
            boundReceivedAt = receivedAt
        }
        if source != boundSource {
            s.bind(source, at: 20)
            boundSource = source
        }
        s.bind(sourceLine.map(Int64.init), at: 21)
        let hash = hash ?? LineHash(line, length: line.count, seed: event.deviceID)
        let hashBytes = hash.bytes
        // The key is unique; a different line that happens to share it moves on to the next key.
        var key = Int64(
            bitPattern: UInt64(UInt32(truncatingIfNeeded: event.measuredAt.secondsSinceEpoch)) << 32
                | (hash.low & 0xFFFF_FFFF))
        // The blobs are bound without a copy: they stay alive until the insert has run, and every
        // later insert binds them anew.
        return try event.peaks.withUnsafeBytes { peaks in
            try event.fftReal.withUnsafeBytes { fftReal in
                try event.fftImaginary.withUnsafeBytes { fftImaginary in
                    try event.measuredAt.withISO8601Bytes { measuredAt in
                        try hashBytes.withUnsafeBytes { hashBlob in
                            s.bindBlob(peaks, at: 11, copy: false)
                            s.bindBlob(fftReal, at: 12, copy: false)
                            s.bindBlob(fftImaginary, at: 13, copy: false)
                            s.bindText(measuredAt, at: 14)
                            s.bindBlob(hashBlob, at: 22, copy: false)
                            while true {
                                s.bind(key, at: 23)
                                try s.run()
                                if database.changes == 1 { return .stored(id: database.lastInsertedRowID) }
                                if let id = try storedLine(key: key, hash: hashBytes) {
                                    countDuplicate.bind(id, at: 1)
                                    try countDuplicate.run()
                                    return .duplicate(id: id)
                                }
                                key &+= 1
                            }
                        }
                    }
                }
            }
        }
    }

    /// The event stored under `key`, when it has the same hash.
    private func storedLine(key: Int64, hash: [UInt8]) throws -> Int64? {
        findKey.bind(key, at: 1)
        defer { findKey.reset() }
        guard try findKey.step() else {
            throw DatabaseError(code: SQLITE_ERROR, message: "line key \(key) vanished", sql: findKey.sql, path: database.path)
        }
        return Array(findKey.blob(at: 1)) == hash ? findKey.int64(at: 0) : nil
    }

    /// Stores a line that did not parse, with its reason, or counts it when already stored.
    /// - Parameters:
    ///   - line: the bytes kept of the line (at most 16 KiB).
    ///   - length: the line's full length in bytes.
    ///   - error: why it was rejected.
    ///   - source: the tty path or capture file.
    ///   - sourceLine: the line number in a capture file, `nil` for a tty.
    ///   - receivedAt: when the line arrived, ISO 8601 UTC.
    public func reject(
        line: UnsafeRawBufferPointer, length: Int, error: ParseError, source: String, sourceLine: Int?,
        receivedAt: String
    ) throws -> RejectOutcome {
        let s = insertRejected
        s.bindBlob(line, at: 1)
        s.bind(Int64(length), at: 2)
        s.bind(error.description, at: 3)
        s.bind(error.field, at: 4)
        s.bind(source, at: 5)
        s.bind(sourceLine.map(Int64.init), at: 6)
        s.bind(receivedAt, at: 7)
        LineHash(line, length: length).bytes.withUnsafeBytes { s.bindBlob($0, at: 8) }
        defer { s.reset() }
        guard try s.step() else {
            throw DatabaseError(code: SQLITE_ERROR, message: "insert returned no row", sql: s.sql, path: database.path)
        }
        let id = s.int64(at: 0)
        return s.int64(at: 1) == 1 ? .stored(id: id) : .seenAgain(id: id)
    }

    // MARK: Counts

    /// The number of stored events of each device.
    public func eventCounts() throws -> [Int64: Int] {
        let statement = try database.prepare("SELECT device_id, count(*) FROM events GROUP BY device_id")
        var counts: [Int64: Int] = [:]
        while try statement.step() {
            counts[statement.int64(at: 0)] = Int(statement.int64(at: 1))
        }
        return counts
    }

    /// The number of stored events of one device.
    public func eventCount(device: Int64) throws -> Int {
        let statement = try database.prepare("SELECT count(*) FROM events WHERE device_id = ?1")
        statement.bind(device, at: 1)
        try statement.step()
        return Int(statement.int64(at: 0))
    }

    /// The number of rows in `events` and in `rejected_lines`.
    public func totals() throws -> (events: Int, rejected: Int) {
        let events = try database.integer("SELECT count(*) FROM events")
        let rejected = try database.integer("SELECT count(*) FROM rejected_lines")
        return (Int(events), Int(rejected))
    }
}

// The store owns a connection used from one thread.
@available(*, unavailable)
extension EventStore: Sendable {}
