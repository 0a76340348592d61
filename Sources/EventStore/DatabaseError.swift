import CSQLite
import Glibc

/// An SQLite call that failed: the result code, SQLite's message and the statement involved.
public struct DatabaseError: Error, Sendable, CustomStringConvertible {
    /// The extended SQLite result code (`SQLITE_BUSY`, `SQLITE_FULL`, ...).
    public var code: Int32
    /// SQLite's own message for the failure.
    public var message: String
    /// The SQL being prepared or run, when there was one.
    public var sql: String?
    /// The database file.
    public var path: String
    /// The operating system's error behind an I/O failure (`errno`), 0 when none.
    public var systemErrno: Int32

    /// Creates an error.
    public init(code: Int32, message: String, sql: String? = nil, path: String, systemErrno: Int32 = 0) {
        self.code = code
        self.message = message
        self.sql = sql
        self.path = path
        self.systemErrno = systemErrno
    }

    /// The primary result code, without the extended bits.
    public var primaryCode: Int32 { code & 0xFF }

    /// Whether the failure comes from a full disk or a file size limit, which goes away when
    /// space returns.
    public var isOutOfSpace: Bool { primaryCode == SQLITE_FULL || primaryCode == SQLITE_IOERR }

    /// Whether the database is locked or busy because another connection holds it.
    public var isBusy: Bool { primaryCode == SQLITE_BUSY || primaryCode == SQLITE_LOCKED }

    public var description: String {
        let name = String(cString: sqlite3_errstr(code))
        var text = "database \(path): \(message) (SQLite code \(code): \(name)"
        if systemErrno != 0 { text += "; \(String(cString: strerror(systemErrno)))" }
        text += ")"
        if let sql { text += " in: \(sql)" }
        return text
    }
}
