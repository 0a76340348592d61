import CSQLite

/// A prepared SQL statement with bound values. The corresponding C type is `sqlite3_stmt`.
///
/// Values are only ever bound, never spliced into the SQL text.
public final class Statement {
    /// The SQL the statement was prepared from.
    public let sql: String
    private let database: Database
    private var handle: OpaquePointer?

    init(database: Database, sql: String) throws {
        self.database = database
        self.sql = sql
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(
            database.connection, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else {
            throw database.error(code: code, sql: sql)
        }
        handle = statement
    }

    deinit {
        sqlite3_finalize(handle)
    }

    private var statement: OpaquePointer { handle! }

    /// Clears the bindings' effect of the last run so that the statement can run again.
    public func reset() {
        sqlite3_reset(statement)
    }

    /// Binds an integer to the 1-based parameter `index`.
    public func bind(_ value: Int64, at index: Int32) {
        sqlite3_bind_int64(statement, index, value)
    }

    /// Binds an integer, or NULL when `nil`.
    public func bind(_ value: Int64?, at index: Int32) {
        if let value { sqlite3_bind_int64(statement, index, value) } else { sqlite3_bind_null(statement, index) }
    }

    /// Binds a double.
    public func bind(_ value: Double, at index: Int32) {
        sqlite3_bind_double(statement, index, value)
    }

    /// Binds a double, or NULL when `nil`.
    public func bind(_ value: Double?, at index: Int32) {
        if let value { sqlite3_bind_double(statement, index, value) } else { sqlite3_bind_null(statement, index) }
    }

    /// Binds text, or NULL when `nil`.
    public func bind(_ value: String?, at index: Int32) {
        guard let value else {
            sqlite3_bind_null(statement, index)
            return
        }
        var copy = value
        copy.withUTF8 { utf8 in
            _ = sqlite3_bind_text(
                statement, index, UnsafeRawPointer(utf8.baseAddress).map { $0.assumingMemoryBound(to: CChar.self) },
                Int32(utf8.count), energy_sqlite_transient())
        }
    }

    /// Binds UTF-8 bytes as text.
    public func bindText(_ bytes: UnsafeRawBufferPointer, at index: Int32) {
        if let base = bytes.baseAddress {
            sqlite3_bind_text(
                statement, index, base.assumingMemoryBound(to: CChar.self), Int32(bytes.count),
                energy_sqlite_transient())
        } else {
            sqlite3_bind_text(statement, index, "", 0, energy_sqlite_transient())
        }
    }

    /// Binds bytes as a blob (an empty blob, not NULL, when empty).
    /// - Parameter copy: `false` binds the bytes in place: they must stay valid until the
    ///   statement has run and every later run binds the parameter again.
    public func bindBlob(_ bytes: UnsafeRawBufferPointer, at index: Int32, copy: Bool = true) {
        if let base = bytes.baseAddress {
            sqlite3_bind_blob(
                statement, index, base, Int32(bytes.count), copy ? energy_sqlite_transient() : energy_sqlite_static())
        } else {
            sqlite3_bind_zeroblob(statement, index, 0)
        }
    }

    /// Binds NULL.
    public func bindNull(at index: Int32) {
        sqlite3_bind_null(statement, index)
    }

    /// Runs the statement to its next row.
    /// - Returns: `true` when a row is ready to read, `false` when the statement is done.
    /// - Throws: ``DatabaseError`` naming the SQL.
    @discardableResult
    public func step() throws -> Bool {
        let code = sqlite3_step(statement)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = database.error(code: code, sql: sql)
            sqlite3_reset(statement)
            throw error
        }
    }

    /// Runs a statement that returns no rows, then resets it.
    public func run() throws {
        defer { sqlite3_reset(statement) }
        while try step() {}
    }

    /// Whether column `index` (0-based) of the current row is NULL.
    public func isNull(at index: Int32) -> Bool {
        sqlite3_column_type(statement, index) == SQLITE_NULL
    }

    /// Column `index` of the current row as an integer.
    public func int64(at index: Int32) -> Int64 {
        sqlite3_column_int64(statement, index)
    }

    /// Column `index` as an integer, `nil` when NULL.
    public func optionalInt64(at index: Int32) -> Int64? {
        isNull(at: index) ? nil : sqlite3_column_int64(statement, index)
    }

    /// Column `index` as a double.
    public func double(at index: Int32) -> Double {
        sqlite3_column_double(statement, index)
    }

    /// Column `index` as a double, `nil` when NULL.
    public func optionalDouble(at index: Int32) -> Double? {
        isNull(at: index) ? nil : sqlite3_column_double(statement, index)
    }

    /// Column `index` as text, `nil` when NULL.
    public func text(at index: Int32) -> String? {
        guard let pointer = sqlite3_column_text(statement, index) else { return nil }
        let count = Int(sqlite3_column_bytes(statement, index))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    /// Column `index` as the bytes of a blob, valid until the next step or reset.
    public func blob(at index: Int32) -> UnsafeRawBufferPointer {
        let count = Int(sqlite3_column_bytes(statement, index))
        guard let pointer = sqlite3_column_blob(statement, index) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: pointer, count: count)
    }
}

// A statement belongs to its connection's thread.
@available(*, unavailable)
extension Statement: Sendable {}
