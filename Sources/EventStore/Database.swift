import CSQLite

/// One SQLite connection. The corresponding C type is `sqlite3`.
///
/// Closes its connection exactly once, in `close()` or, failing that, in `deinit`.
public final class Database {
    /// The file the connection is open on.
    public let path: String
    private var handle: OpaquePointer?

    /// Opens (and creates when missing) a database file.
    /// - Parameters:
    ///   - path: the database file.
    ///   - readOnly: open without write access; the file must exist.
    /// - Throws: ``DatabaseError`` when the file cannot be opened.
    public init(path: String, readOnly: Bool = false) throws {
        self.path = path
        var connection: OpaquePointer?
        let flags =
            (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
            | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let code = sqlite3_open_v2(path, &connection, flags, nil)
        guard code == SQLITE_OK, let connection else {
            let message = connection.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(connection)
            throw DatabaseError(code: code, message: message, path: path)
        }
        handle = connection
        sqlite3_extended_result_codes(connection, 1)
    }

    deinit {
        if let handle { sqlite3_close_v2(handle) }
    }

    /// Closes the connection; later calls fail. The corresponding C function is `sqlite3_close_v2`.
    public func close() {
        if let handle { sqlite3_close_v2(handle) }
        handle = nil
    }

    var connection: OpaquePointer {
        guard let handle else { preconditionFailure("database \(path) used after close()") }
        return handle
    }

    /// Runs one or more SQL statements that bind no values.
    /// - Throws: ``DatabaseError`` naming the SQL.
    public func execute(_ sql: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(connection, sql, nil, nil, &errorMessage)
        if code != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(connection))
            sqlite3_free(errorMessage)
            throw DatabaseError(
                code: sqlite3_extended_errcode(connection), message: message, sql: sql, path: path,
                systemErrno: sqlite3_system_errno(connection))
        }
    }

    /// Prepares a statement for repeated use.
    public func prepare(_ sql: String) throws -> Statement {
        try Statement(database: self, sql: sql)
    }

    /// Runs a query that returns one integer, such as a `PRAGMA`.
    public func integer(_ sql: String) throws -> Int64 {
        let statement = try prepare(sql)
        guard try statement.step() else {
            throw DatabaseError(code: SQLITE_ERROR, message: "no row returned", sql: sql, path: path)
        }
        return statement.int64(at: 0)
    }

    /// Runs a query that returns one text value.
    public func text(_ sql: String) throws -> String? {
        let statement = try prepare(sql)
        guard try statement.step() else { return nil }
        return statement.text(at: 0)
    }

    /// Runs `body` inside `BEGIN IMMEDIATE` ... `COMMIT`, rolling back when it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Runs `body` inside a savepoint, which works whether or not a transaction is open: the
    /// changes are released together or rolled back together.
    public func savepoint<T>(_ name: String, _ body: () throws -> T) throws -> T {
        try execute("SAVEPOINT \(name)")
        do {
            let result = try body()
            try execute("RELEASE \(name)")
            return result
        } catch {
            try? execute("ROLLBACK TO \(name)")
            try? execute("RELEASE \(name)")
            throw error
        }
    }

    /// Whether a transaction is open. The corresponding C function is `sqlite3_get_autocommit`.
    public var isInTransaction: Bool { sqlite3_get_autocommit(connection) == 0 }

    /// Whether the connection cannot write: opened read-only, or opened read-write on a file the
    /// process may not write (SQLite then falls back to reading). The corresponding C function is
    /// `sqlite3_db_readonly`.
    public var isReadOnly: Bool { sqlite3_db_readonly(connection, "main") == 1 }

    /// The number of rows the last statement changed.
    public var changes: Int { Int(sqlite3_changes(connection)) }

    /// The rowid of the last inserted row.
    public var lastInsertedRowID: Int64 { sqlite3_last_insert_rowid(connection) }

    /// Waits up to `milliseconds` for a lock held by another connection before failing with
    /// `SQLITE_BUSY`.
    public func setBusyTimeout(milliseconds: Int32) {
        sqlite3_busy_timeout(connection, milliseconds)
    }

    func error(code: Int32, sql: String?) -> DatabaseError {
        DatabaseError(
            code: sqlite3_extended_errcode(connection), message: String(cString: sqlite3_errmsg(connection)),
            sql: sql, path: path, systemErrno: sqlite3_system_errno(connection))
    }
}

// A connection is used by one thread at a time (SQLITE_OPEN_NOMUTEX); statements point into it.
@available(*, unavailable)
extension Database: Sendable {}
