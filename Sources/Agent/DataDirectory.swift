import Glibc

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
        let databaseDirectory = Self.parent(of: databasePath)
        if !databaseDirectory.isEmpty { try Self.makeDirectories(databaseDirectory, mode: 0o750) }
    }

    /// The directory part of a path (`.` for a bare name).
    public static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// `mkdir -p` with a mode for the directories it creates.
    public static func makeDirectories(_ path: String, mode: mode_t) throws {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if mkdir(prefix, mode) != 0, errno != EEXIST {
                let reason = String(cString: strerror(errno))
                throw CommandError("cannot create directory \(prefix): \(reason)", code: .cannotCreate)
            }
            prefix += "/"
        }
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw CommandError("\(path) is not a directory", code: .cannotCreate)
        }
    }
}
