import Glibc
import Reports

/// Writes text to standard output and standard error with `write(2)`, whole, retrying short
/// writes and EINTR.
public enum Console {
    /// Writes text to standard error as is.
    public static func error(_ text: String) {
        write(text, to: STDERR_FILENO)
    }

    /// Writes text to standard output as is.
    public static func output(_ text: String) {
        write(text, to: STDOUT_FILENO)
    }

    /// Writes all of `text` to a descriptor, returning `false` when it could not.
    @discardableResult
    public static func write(_ text: String, to descriptor: Int32) -> Bool {
        var copy = text
        return copy.withUTF8 { write(UnsafeRawBufferPointer($0), to: descriptor) }
    }

    /// Writes all of `bytes` to a descriptor, returning `false` when it could not.
    @discardableResult
    public static func write(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) -> Bool {
        FileSystem.writeAll(bytes, to: descriptor)
    }
}
