import Glibc

/// Process exit codes, after sysexits.h.
public enum ExitCode: Int32, Sendable {
    case success = 0
    /// A failure that is not one of the others (a run that had errors).
    case failure = 1
    /// The command line is wrong.
    case usage = 64
    /// The input data is wrong.
    case dataError = 65
    /// An input file does not exist or cannot be read.
    case noInput = 66
    /// A device or service is unavailable (a port in use, a database locked by another agent).
    case unavailable = 69
    /// An internal error.
    case software = 70
    /// A file cannot be created.
    case cannotCreate = 73
    /// An input/output error.
    case ioError = 74
}

/// An error that ends a command with a message and an exit code.
public struct CommandError: Error, Sendable, CustomStringConvertible {
    /// The message, one sentence naming what is wrong.
    public var message: String
    /// The exit code.
    public var code: ExitCode

    /// Creates an error.
    public init(_ message: String, code: ExitCode) {
        self.message = message
        self.code = code
    }

    public var description: String { message }

    /// An error for a failed system call: `what`, then the C library's text for `errno`.
    /// The corresponding C function is `strerror`.
    public static func system(_ what: String, code: ExitCode, errno number: Int32 = errno) -> CommandError {
        CommandError("\(what): \(String(cString: strerror(number)))", code: code)
    }
}
