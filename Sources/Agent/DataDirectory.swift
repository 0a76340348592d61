import Glibc
import Reports

/// Where the agent keeps its database and reports.
public struct DataDirectory: Sendable {
    /// The data directory.
    public var path: String
    /// The database file.
    public var databasePath: String
    /// The report directory.
    public var reportsPath: String

    /// The default data directory: `$STATE_DIRECTORY` (set by systemd's `StateDirectory=`) when
    /// set, else `./var`.
    public static var defaultPath: String {
        if let state = getenv("STATE_DIRECTORY").map({ String(cString: $0) }), !state.isEmpty {
            // systemd may list several directories separated by colons; the first is ours.
            return String(state.split(separator: ":").first ?? Substring(state))
        }
        return "./var"
    }

    /// The options every command that touches the data shares.
    public static let options = [
        OptionSpec("data-dir", value: "DIR", help: "Data directory (default: $STATE_DIRECTORY when set, else ./var)."),
        OptionSpec("db", value: "PATH", help: "Database file (default: DATA_DIR/energy.db)."),
    ]

    /// Resolves the shared options.
    public init(arguments: ParsedArguments, reports: String? = nil) {
        path = arguments.value("data-dir") ?? Self.defaultPath
        databasePath = arguments.value("db") ?? path + "/energy.db"
        reportsPath = reports ?? arguments.value("reports") ?? path + "/reports"
    }

    /// Creates the data directory (mode 0750) and the database's directory when missing.
    /// - Throws: ``CommandError`` when a directory cannot be created.
    public func create() throws {
        try Self.makeDirectories(path, mode: 0o750)
        try Self.makeDirectories(FileSystem.parent(of: databasePath), mode: 0o750)
    }

    /// `mkdir -p` with a mode for the directories it creates.
    /// - Throws: ``CommandError`` naming the directory that cannot be created.
    public static func makeDirectories(_ path: String, mode: mode_t) throws {
        do {
            try FileSystem.makeDirectories(path, mode: mode)
        } catch let error as AtomicFile.WriteError {
            let reason = String(cString: strerror(error.errno))
            throw CommandError("cannot create directory \(error.path): \(reason)", code: .cannotCreate)
        }
    }
}
