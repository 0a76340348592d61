import Glibc

/// Tells the service manager about the agent's state with the `sd_notify` datagram protocol,
/// spoken directly: one `AF_UNIX`/`SOCK_DGRAM` datagram per message to `$NOTIFY_SOCKET`
/// (a leading `@` names an abstract socket).
///
/// Without `NOTIFY_SOCKET` every call does nothing, so the agent behaves the same outside systemd.
public final class Notifier {
    private var descriptor: Int32 = -1
    private var address = sockaddr_un()
    private var addressLength: socklen_t = 0
    private var warned = false
    private let log: Logger

    /// Seconds between two `WATCHDOG=1` messages: half of `$WATCHDOG_USEC`, when the watchdog is
    /// on for this process (`$WATCHDOG_PID`, if set, is ours).
    public let watchdogInterval: Double?

    /// Whether a notify socket was given.
    public var isEnabled: Bool { descriptor >= 0 }

    /// Reads `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID`, then removes them from the
    /// environment so that child processes (the clustering runs) do not talk to systemd for us.
    /// - Parameter log: where a socket that cannot be used is reported, once.
    public init(log: Logger) {
        self.log = log
        let socketPath = getenv("NOTIFY_SOCKET").map { String(cString: $0) }
        let watchdogMicroseconds = getenv("WATCHDOG_USEC").flatMap { Int(String(cString: $0)) }
        let watchdogPID = getenv("WATCHDOG_PID").flatMap { Int32(String(cString: $0)) }
        unsetenv("NOTIFY_SOCKET")
        unsetenv("WATCHDOG_USEC")
        unsetenv("WATCHDOG_PID")
        if let watchdogMicroseconds, watchdogMicroseconds > 0, watchdogPID == nil || watchdogPID == getpid() {
            watchdogInterval = Double(watchdogMicroseconds) / 2e6
        } else {
            watchdogInterval = nil
        }
        guard let socketPath, !socketPath.isEmpty else { return }
        var path = Array(socketPath.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        let abstract = path.first == UInt8(ascii: "@")
        guard path.first == UInt8(ascii: "/") || abstract, path.count < capacity else {
            log.warning("NOTIFY_SOCKET \"\(socketPath)\" is not a usable socket address; not notifying")
            return
        }
        if abstract { path[0] = 0 }
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.enumerated() { raw[index] = byte }
        }
        // An abstract name is exactly its bytes; a path name includes its terminating NUL.
        addressLength = socklen_t(MemoryLayout<sa_family_t>.size + path.count + (abstract ? 0 : 1))
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if descriptor < 0 {
            log.warning("cannot create the notify socket: \(String(cString: strerror(errno))); not notifying")
        }
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Sends one message, such as `READY=1` or `WATCHDOG=1`; lines are separated by `\n`.
    /// A failure is logged once and otherwise ignored: the agent keeps working without systemd.
    public func send(_ message: String) {
        guard descriptor >= 0 else { return }
        var text = message
        let sent = text.withUTF8 { bytes in
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                    sendto(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), socketAddress, addressLength)
                }
            }
        }
        if sent < 0, !warned {
            warned = true
            log.warning("cannot notify the service manager: sendto failed: \(String(cString: strerror(errno)))")
        }
    }
}

// The notifier belongs to the event loop's thread.
@available(*, unavailable)
extension Notifier: Sendable {}
