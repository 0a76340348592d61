#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A system call that failed: which call, on which path, and the errno it left.
public struct SystemError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The name of the call that failed, such as `open` or `tcsetattr`.
    public var call: String
    /// The path the call was working on, if any.
    public var path: String?
    /// The errno value the call left.
    public var errno: Int32

    /// Creates an error from a call name, an optional path and an errno value.
    public init(call: String, path: String? = nil, errno: Int32) {
        self.call = call
        self.path = path
        self.errno = errno
    }

    /// The text the C library gives for `errno`. The corresponding C function is `strerror`.
    public var message: String { String(cString: strerror(errno)) }

    /// A sentence such as `open /dev/ttyUSB9 failed: No such file or directory (errno 2)`.
    public var description: String {
        let subject = path.map { "\(call) \($0)" } ?? call
        return "\(subject) failed: \(message) (errno \(errno))"
    }
}

/// Runs a call that returns -1 and sets errno on failure, retrying it while it is interrupted.
///
/// - Parameters:
///   - call: the C name of the call, for the error.
///   - path: the path the call works on, for the error.
///   - retryOnInterrupt: whether to call again after EINTR.
///   - body: the call.
/// - Returns: the call's result when it is not -1.
/// - Throws: `SystemError` with the call's errno.
@inline(__always)
func valueOrErrno<Value: FixedWidthInteger>(
    _ call: String, path: String? = nil, retryOnInterrupt: Bool = true, _ body: () -> Value
) throws(SystemError) -> Value {
    while true {
        let result = body()
        if result != -1 { return result }
        let code = currentErrno()
        if code == EINTR && retryOnInterrupt { continue }
        throw SystemError(call: call, path: path, errno: code)
    }
}

/// Checks a libudev call that returns a negative errno on failure (and 0 or more on success).
///
/// - Throws: `SystemError` with the negated result as errno.
@inline(__always)
func checkNegativeErrno(_ call: String, path: String? = nil, _ result: Int32) throws(SystemError) {
    if result < 0 { throw SystemError(call: call, path: path, errno: -result) }
}

/// The calling thread's errno.
@inline(__always)
func currentErrno() -> Int32 {
    #if canImport(Glibc)
    return Glibc.errno
    #else
    return Darwin.errno
    #endif
}

/// Sets the calling thread's errno (libudev reports some failures only through it).
@inline(__always)
func setErrno(_ value: Int32) {
    #if canImport(Glibc)
    Glibc.errno = value
    #else
    Darwin.errno = value
    #endif
}
