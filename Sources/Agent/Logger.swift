import Glibc

/// One line per thing worth knowing, on standard error.
///
/// Under systemd (`JOURNAL_STREAM` set) each line starts with its syslog priority, `<3>` for
/// errors, `<4>` warnings, `<6>` information, so that the journal files it at the right level.
public struct Logger: Sendable {
    private let priorities: Bool
    private let prefix: String
    /// Whether information lines are written (errors and warnings always are).
    public var verbose: Bool

    /// Creates a logger; `prefix` starts every line (for example `energy-agent: `).
    public init(prefix: String = "energy-agent: ", verbose: Bool = true) {
        priorities = getenv("JOURNAL_STREAM") != nil
        self.prefix = priorities ? "" : prefix
        self.verbose = verbose
    }

    public func error(_ message: String) { write(3, message) }
    public func warning(_ message: String) { write(4, message) }
    public func info(_ message: String) {
        if verbose { write(6, message) }
    }

    private func write(_ priority: Int, _ message: String) {
        let label = priority <= 3 ? "error: " : priority == 4 ? "warning: " : ""
        let line = (priorities ? "<\(priority)>" : prefix + label) + message + "\n"
        Console.error(line)
    }
}
