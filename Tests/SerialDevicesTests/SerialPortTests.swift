import SerialDevices
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("SerialPort on pseudo-terminals")
struct SerialPortTests {
    @Test func appliesRaw8N1AtTheRequestedSpeed() throws {
        let pty = try PseudoTerminal()
        let port = try SerialPort(path: pty.slavePath, baudRate: 115200)
        defer { try? port.close() }

        var settings = try pty.settings()
        #expect(cfgetispeed(&settings) == speed_t(B115200))
        #expect(cfgetospeed(&settings) == speed_t(B115200))
        #expect(settings.c_lflag & tcflag_t(ICANON | ECHO | ECHONL | ISIG | IEXTEN) == 0)
        #expect(settings.c_iflag & tcflag_t(ICRNL | INLCR | IGNCR | ISTRIP | IXON | IXOFF) == 0)
        #expect(settings.c_oflag & tcflag_t(OPOST) == 0)
        #expect(settings.c_cflag & tcflag_t(CSIZE) == tcflag_t(CS8))
        #expect(settings.c_cflag & tcflag_t(PARENB | CSTOPB) == 0)
        #expect(settings.c_cflag & tcflag_t(CLOCAL | CREAD) == tcflag_t(CLOCAL | CREAD))
        #expect(settings.c_cflag & tcflag_t(CRTSCTS) == 0)
        let cc = withUnsafeBytes(of: settings.c_cc) { Array($0) }
        #expect(cc[Int(VMIN)] == 1)
        #expect(cc[Int(VTIME)] == 0)
        // A pty accepts TIOCEXCL, so there is nothing to warn about.
        #expect(port.warnings.isEmpty)
    }

    @Test(arguments: [9600, 57600, 230400, 921600])
    func setsOtherSupportedSpeeds(baudRate: Int) throws {
        let pty = try PseudoTerminal()
        let port = try SerialPort(path: pty.slavePath, baudRate: baudRate)
        defer { try? port.close() }
        var settings = try pty.settings()
        let expected: speed_t =
            switch baudRate {
            case 9600: speed_t(B9600)
            case 57600: speed_t(B57600)
            case 230400: speed_t(B230400)
            default: speed_t(B921600)
            }
        #expect(cfgetospeed(&settings) == expected)
        #expect(port.baudRate == baudRate)
    }

    @Test func readsWhatTheMasterWritesAndSaysWhenNothingWaits() throws {
        let pty = try PseudoTerminal()
        let port = try SerialPort(path: pty.slavePath)
        defer { try? port.close() }

        var buffer = [UInt8](repeating: 0, count: 64)
        #expect(try buffer.withUnsafeMutableBytes { try port.read(into: $0) } == .wouldBlock)

        let text = "1735689600123 sensor=A1 power=1753W\r\n"
        try pty.write(text)
        let received = try readAll(port, expected: text.utf8.count)
        // Raw mode: the CR arrives untouched, not turned into a second LF.
        #expect(received == Array(text.utf8))
        #expect(try buffer.withUnsafeMutableBytes { try port.read(into: $0) } == .wouldBlock)
    }

    @Test func closingTheMasterReadsAsEndOfFile() throws {
        let pty = try PseudoTerminal()
        let port = try SerialPort(path: pty.slavePath)
        defer { try? port.close() }

        try pty.write("partial")
        #expect(try readAll(port, expected: 7) == Array("partial".utf8))
        pty.closeMaster()

        let revents = waitReadable(port.fileDescriptor)
        #expect(revents & Int16(POLLHUP | POLLIN | POLLERR) != 0)
        var buffer = [UInt8](repeating: 0, count: 64)
        #expect(try buffer.withUnsafeMutableBytes { try port.read(into: $0) } == .endOfFile)
    }

    @Test func opensThroughASymlink() throws {
        let pty = try PseudoTerminal()
        let link = "/tmp/serial-devices-test-link-\(getpid())"
        unlink(link)
        try #require(symlink(pty.slavePath, link) == 0)
        defer { unlink(link) }

        let port = try SerialPort(path: link)
        defer { try? port.close() }
        #expect(port.path == link)
        try pty.write("x\n")
        #expect(try readAll(port, expected: 2) == Array("x\n".utf8))
    }

    @Test func aSecondOpenIsRefusedAsInUse() throws {
        let pty = try PseudoTerminal()
        let first = try SerialPort(path: pty.slavePath)

        let error = #expect(throws: SerialPortError.self) { try SerialPort(path: pty.slavePath) }
        #expect(error == .inUse(path: pty.slavePath))
        #expect(error?.description == "\(pty.slavePath) is in use by another process")

        // Once released (exclusive mode and lock), the port opens again.
        try first.close()
        let second = try SerialPort(path: pty.slavePath)
        try second.close()
    }

    @Test func dropsInputQueuedBeforeTheOpen() throws {
        let pty = try PseudoTerminal()
        try pty.write("stale bytes from before\n")
        let port = try SerialPort(path: pty.slavePath)
        defer { try? port.close() }
        try pty.write("fresh\n")
        #expect(try readAll(port, expected: 6) == Array("fresh\n".utf8))
    }

    @Test func anUnsupportedBaudRateIsAnError() throws {
        let pty = try PseudoTerminal()
        let error = #expect(throws: SerialPortError.self) {
            try SerialPort(path: pty.slavePath, baudRate: 12345)
        }
        #expect(error == .unsupportedBaudRate(12345))
        #expect(
            error?.description
                == "baud rate 12345 is not supported (supported: 50, 75, 110, 134, 150, 200, 300, 600, "
                + "1200, 1800, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 500000, "
                + "576000, 921600, 1000000, 1152000, 1500000, 2000000, 2500000, 3000000, 3500000, 4000000)")
        #expect(throws: SerialPortError.unsupportedBaudRate(0)) { try SerialPort.validate(baudRate: 0) }
        try SerialPort.validate(baudRate: 115200)
    }

    @Test func aMissingPathIsAnOpenErrorWithENOENT() throws {
        let path = "/dev/serial/by-id/usb-no-such-adapter-if00-port0"
        let error = #expect(throws: SystemError.self) { try SerialPort(path: path) }
        #expect(error == SystemError(call: "open", path: path, errno: ENOENT))
        #expect(error?.description == "open \(path) failed: No such file or directory (errno 2)")
    }

    @Test func aNonTerminalIsATermiosError() throws {
        let error = #expect(throws: SystemError.self) { try SerialPort(path: "/dev/null") }
        #expect(error?.errno == ENOTTY)
        // /dev/null refuses TIOCEXCL (a warning only), then tcgetattr fails for good.
        #expect(error?.call == "tcgetattr")
    }

    @Test func closeIsIdempotentAndReadAfterCloseFails() throws {
        let pty = try PseudoTerminal()
        let port = try SerialPort(path: pty.slavePath)
        try port.close()
        try port.close()
        #expect(port.isClosed)
        #expect(port.fileDescriptor == -1)
        var buffer = [UInt8](repeating: 0, count: 8)
        #expect(throws: SystemError(call: "read", path: pty.slavePath, errno: EBADF)) {
            try buffer.withUnsafeMutableBytes { try port.read(into: $0) }
        }
    }
}
