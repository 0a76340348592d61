import SerialDevices
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A pty pair for tests: the test holds the master, the code under test opens `slavePath`.
final class PseudoTerminal {
    private(set) var master: Int32
    let slavePath: String

    init() throws {
        var master: Int32 = -1
        var slave: Int32 = -1
        var name = [CChar](repeating: 0, count: 128)
        try #require(openpty(&master, &slave, &name, nil, nil) == 0, "openpty: errno \(errno)")
        // Only the master stays open here, as with a real adapter; the slave lives on as long as
        // the master does.
        #expect(close(slave) == 0)
        self.master = master
        self.slavePath = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // Termios requests on the master act on the slave: raw, so that nothing written before the
        // code under test sets up the port is echoed or translated.
        var settings = termios()
        try #require(tcgetattr(master, &settings) == 0)
        cfmakeraw(&settings)
        try #require(tcsetattr(master, TCSANOW, &settings) == 0)
        // A child process must not inherit the master, or closing it here would not hang up.
        let flags = fcntl(master, F_GETFD)
        try #require(flags >= 0 && fcntl(master, F_SETFD, flags | FD_CLOEXEC) == 0)
    }

    /// The slave's settings, read through the master.
    func settings() throws -> termios {
        var settings = termios()
        try #require(tcgetattr(master, &settings) == 0, "tcgetattr: errno \(errno)")
        return settings
    }

    func write(_ text: String) throws {
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(master, $0.baseAddress, $0.count) }
        try #require(written == bytes.count, "write to master: errno \(errno)")
    }

    /// Hangs up, as an unplugged adapter does.
    func closeMaster() {
        guard master >= 0 else { return }
        #expect(close(master) == 0)
        master = -1
    }

    deinit { closeMaster() }
}

/// Waits until `fd` is readable or hung up; returns the `revents`, 0 on timeout.
func waitReadable(_ fd: Int32, milliseconds: Int32 = 2000) -> Int16 {
    var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    let ready = poll(&entry, 1, milliseconds)
    return ready > 0 ? entry.revents : 0
}

/// Reads everything that arrives within the timeout, until `expected` bytes are in.
func readAll(_ port: SerialPort, expected: Int, milliseconds: Int32 = 2000) throws -> [UInt8] {
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while received.count < expected {
        guard waitReadable(port.fileDescriptor, milliseconds: milliseconds) != 0 else { break }
        let result = try buffer.withUnsafeMutableBytes { try port.read(into: $0) }
        switch result {
        case .bytes(let count): received += buffer[..<count]
        case .wouldBlock: continue
        case .endOfFile: return received
        }
    }
    return received
}
