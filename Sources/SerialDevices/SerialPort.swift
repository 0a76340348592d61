import CUdev

#if canImport(Glibc)
import Glibc
#endif

/// A serial port opened for non-blocking reading: raw, 8N1, no flow control, exclusive.
///
/// The port owns its file descriptor and closes it exactly once: call `close()` when done
/// (deinit asserts that it was called, and closes the descriptor anyway in release builds).
/// Built for a single-threaded `poll()` loop: watch `fileDescriptor` for `POLLIN`, then call
/// `read(into:)` until it returns `.wouldBlock`.
public final class SerialPort {
    /// The outcome of one non-blocking read.
    public enum ReadResult: Equatable, Sendable {
        /// This many bytes (at least 1) were read into the buffer.
        case bytes(Int)
        /// No data is waiting; poll again.
        case wouldBlock
        /// The device is gone (read returned 0 or failed with EIO or ENODEV): close the port.
        case endOfFile
    }

    /// Something that went wrong while opening but does not stop the port from working.
    public struct Warning: Equatable, Sendable, CustomStringConvertible {
        /// The failed call behind the warning.
        public var error: SystemError
        /// What the failure means for the port.
        public var consequence: String

        /// A sentence for the log.
        public var description: String { "\(error); \(consequence)" }
    }

    /// The path the port was opened with (a symlink stays as given).
    public let path: String
    /// The baud rate the port was set to.
    public let baudRate: Int
    /// Non-fatal problems met while opening, for the caller to log.
    public let warnings: [Warning]

    private var descriptor: Int32
    private let hasExclusiveMode: Bool

    /// The open file descriptor, for `poll()`; -1 once the port is closed.
    public var fileDescriptor: Int32 { descriptor }

    /// Whether `close()` has been called.
    public var isClosed: Bool { descriptor < 0 }

    /// The baud rates that have a termios speed constant, in increasing order.
    public static var supportedBaudRates: [Int] { speeds.map(\.rate) }

    /// Checks a baud rate without opening anything.
    /// - Throws: `SerialPortError.unsupportedBaudRate` when no termios constant matches.
    public static func validate(baudRate: Int) throws(SerialPortError) {
        _ = try speed(forBaudRate: baudRate)
    }

    /// Opens a tty for exclusive, raw, non-blocking reading.
    ///
    /// Opens with `O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC`, asks for exclusive mode
    /// (`TIOCEXCL`; refused by some fake or unusual ttys, which yields a warning), takes a
    /// non-blocking `flock`, sets raw 8N1 with `CLOCAL | CREAD`, no flow control and
    /// `VMIN = 1, VTIME = 0` (so that an empty non-blocking read fails with EAGAIN rather than
    /// returning 0), checks that the settings took, and drops input queued before the open.
    ///
    /// - Parameters:
    ///   - path: a tty path, a symlink to one (such as `/dev/serial/by-id/…`), or a pty slave.
    ///   - baudRate: the line speed, 115200 by default.
    /// - Throws: `SerialPortError` for a port in use or an unsupported rate, `SystemError` for a
    ///   failed system call (a missing path gives `open` with ENOENT).
    public init(path: String, baudRate: Int = 115200) throws {
        let speed = try Self.speed(forBaudRate: baudRate)
        let opened = try Self.open(path: path, speed: speed)
        self.path = path
        self.baudRate = baudRate
        self.descriptor = opened.descriptor
        self.hasExclusiveMode = opened.exclusive
        self.warnings = opened.warnings
    }

    deinit {
        if descriptor >= 0 {
            assertionFailure("SerialPort \(path) was not closed")
            _ = Glibc.close(descriptor)
        }
    }

    /// Reads what is waiting, without blocking.
    ///
    /// The corresponding C function is `read`; EINTR is retried.
    /// - Parameter buffer: where the bytes go; at most `buffer.count` are read.
    /// - Returns: the number of bytes read, `.wouldBlock`, or `.endOfFile` when the device is gone.
    /// - Throws: `SystemError` for any other failure, or when the port is closed (EBADF).
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> ReadResult {
        guard descriptor >= 0 else { throw SystemError(call: "read", path: path, errno: EBADF) }
        guard buffer.count > 0 else { return .wouldBlock }
        let count: Int
        do {
            count = try valueOrErrno("read", path: path) {
                Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            }
        } catch {
            switch error.errno {
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            case EIO, ENODEV, ENXIO: return .endOfFile
            default: throw error
            }
        }
        return count == 0 ? .endOfFile : .bytes(count)
    }

    /// Leaves exclusive mode and closes the descriptor; later calls do nothing.
    ///
    /// The corresponding C function is `close`. The descriptor is released even when `close`
    /// reports an error (on Linux it is gone after EINTR too, so that is not retried).
    /// - Throws: `SystemError` when `close` fails.
    public func close() throws(SystemError) {
        guard descriptor >= 0 else { return }
        let fd = descriptor
        descriptor = -1
        if hasExclusiveMode {
            // The flag would outlive this descriptor while another end (a pty master) keeps the
            // tty alive, and lock out the next unprivileged opener. An unplugged device fails
            // here with EIO, which does not matter since the tty is going away.
            _ = energy_ioctl_tiocnxcl(fd)
        }
        if Glibc.close(fd) == -1 {
            let code = currentErrno()
            if code != EINTR { throw SystemError(call: "close", path: path, errno: code) }
        }
    }
}

extension SerialPort {
    private static let speeds: [(rate: Int, speed: speed_t)] = [
        (50, speed_t(B50)), (75, speed_t(B75)), (110, speed_t(B110)), (134, speed_t(B134)),
        (150, speed_t(B150)), (200, speed_t(B200)), (300, speed_t(B300)), (600, speed_t(B600)),
        (1200, speed_t(B1200)), (1800, speed_t(B1800)), (2400, speed_t(B2400)),
        (4800, speed_t(B4800)), (9600, speed_t(B9600)), (19200, speed_t(B19200)),
        (38400, speed_t(B38400)), (57600, speed_t(B57600)), (115200, speed_t(B115200)),
        (230400, speed_t(B230400)), (460800, speed_t(B460800)), (500000, speed_t(B500000)),
        (576000, speed_t(B576000)), (921600, speed_t(B921600)), (1_000_000, speed_t(B1000000)),
        (1_152_000, speed_t(B1152000)), (1_500_000, speed_t(B1500000)), (2_000_000, speed_t(B2000000)),
        (2_500_000, speed_t(B2500000)), (3_000_000, speed_t(B3000000)), (3_500_000, speed_t(B3500000)),
        (4_000_000, speed_t(B4000000)),
    ]

    static func speed(forBaudRate rate: Int) throws(SerialPortError) -> speed_t {
        guard let entry = speeds.first(where: { $0.rate == rate }) else {
            throw .unsupportedBaudRate(rate)
        }
        return entry.speed
    }

    /// Opens and configures the tty; on any failure the descriptor is closed before throwing.
    private static func open(
        path: String, speed: speed_t
    ) throws -> (descriptor: Int32, exclusive: Bool, warnings: [Warning]) {
        let fd: Int32
        do {
            fd = try valueOrErrno("open", path: path) {
                Glibc.open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
            }
        } catch {
            // A tty in exclusive mode refuses further opens by unprivileged processes.
            if error.errno == EBUSY { throw SerialPortError.inUse(path: path) }
            throw error
        }
        var warnings: [Warning] = []
        var exclusive = false
        do {
            do {
                _ = try valueOrErrno("ioctl(TIOCEXCL)", path: path) { energy_ioctl_tiocexcl(fd) }
                exclusive = true
            } catch {
                guard error.errno == ENOTTY || error.errno == EINVAL else { throw error }
                warnings.append(
                    Warning(error: error, consequence: "exclusive use rests on flock alone"))
            }
            do {
                _ = try valueOrErrno("flock", path: path) { flock(fd, LOCK_EX | LOCK_NB) }
            } catch {
                if error.errno == EWOULDBLOCK { throw SerialPortError.inUse(path: path) }
                throw error
            }
            try configure(fd, path: path, speed: speed)
            _ = try valueOrErrno("tcflush", path: path) { tcflush(fd, TCIFLUSH) }
        } catch {
            if exclusive { _ = energy_ioctl_tiocnxcl(fd) }
            _ = Glibc.close(fd)
            throw error
        }
        return (fd, exclusive, warnings)
    }

    /// Raw 8N1, receiver on, modem lines ignored, no flow control.
    private static func configure(_ fd: Int32, path: String, speed: speed_t) throws {
        var settings = termios()
        _ = try valueOrErrno("tcgetattr", path: path) { tcgetattr(fd, &settings) }
        cfmakeraw(&settings)
        settings.c_cflag &= ~tcflag_t(CSIZE | PARENB | CSTOPB)
        settings.c_cflag &= ~tcflag_t(CRTSCTS)
        settings.c_cflag |= tcflag_t(CS8 | CLOCAL | CREAD)
        settings.c_iflag &= ~tcflag_t(IXON | IXOFF | IXANY)
        // With VMIN = 0 an empty read returns 0, which could not be told from a hang-up;
        // VMIN = 1 with O_NONBLOCK makes it fail with EAGAIN instead, and never waits.
        withUnsafeMutableBytes(of: &settings.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        _ = try valueOrErrno("cfsetispeed", path: path) { cfsetispeed(&settings, speed) }
        _ = try valueOrErrno("cfsetospeed", path: path) { cfsetospeed(&settings, speed) }
        _ = try valueOrErrno("tcsetattr", path: path) { tcsetattr(fd, TCSANOW, &settings) }

        // tcsetattr succeeds when any one of the changes took: read back what matters.
        var applied = termios()
        _ = try valueOrErrno("tcgetattr", path: path) { tcgetattr(fd, &applied) }
        if cfgetispeed(&applied) != speed || cfgetospeed(&applied) != speed {
            throw SerialPortError.settingsNotApplied(path: path, detail: "speed differs")
        }
        let cflagMask = tcflag_t(CSIZE | PARENB | CSTOPB | CLOCAL | CREAD) | tcflag_t(CRTSCTS)
        if applied.c_cflag & cflagMask != settings.c_cflag & cflagMask {
            throw SerialPortError.settingsNotApplied(path: path, detail: "character format differs")
        }
        let lflagMask = tcflag_t(ICANON | ECHO | ISIG | IEXTEN)
        if applied.c_lflag & lflagMask != 0 {
            throw SerialPortError.settingsNotApplied(path: path, detail: "still in canonical mode")
        }
    }
}

// The descriptor and its exclusive-mode flag are plain mutable state with no locking: one
// thread (the event loop) owns a port.
@available(*, unavailable)
extension SerialPort: Sendable {}
