import Glibc

/// `energy-agent simulate FILE`: plays a capture into a pseudo-terminal, standing in for the
/// sensor, so that `run` can be tried and tested without hardware.
public enum SimulateCommand {
    public static let spec = CommandSpec(
        name: "simulate", usage: "simulate [OPTIONS] FILE",
        summary: "Play a captured serial log into a new pseudo-terminal, as the sensor would send it.",
        details: """
            Prints the pseudo-terminal's path (the port to give `run --device`) on standard output, waits
            until a reader opens it, lets it settle (--settle), then writes the capture's lines at
            --rate lines per second; by default at the sensor's pace, each line taking as long as its
            bytes take at 115200 baud (10 bits a byte: about 25 lines a second). --rate 0 writes as
            fast as the reader takes them. When the reader closes the port, writing pauses until a
            reader opens it again. At the end the port stays open for --hold seconds (so the reader
            drains it: a closed pseudo-terminal discards what was not read), then closes, which the
            reader sees as an unplug.
            """,
        options: [
            OptionSpec("rate", value: "LINES_PER_S", help: "Lines per second (default: the sensor's pace at 115200 baud; 0: as fast as possible)."),
            OptionSpec("link", value: "PATH", help: "Also make PATH a symlink to the pseudo-terminal (replacing a symlink already there)."),
            OptionSpec("loop", help: "Start the capture again at its end, until stopped."),
            OptionSpec("settle", value: "SECONDS", help: "Wait this long after a reader opens the port before writing (default 0.2)."),
            OptionSpec("hold", value: "SECONDS", help: "Keep the port open this long after the last line (default 1)."),
        ],
        positionals: 1...1)

    /// Runs the command.
    public static func main(_ arguments: [String]) throws -> ExitCode {
        let parsed = try spec.parse(arguments)
        if parsed.flag("help") {
            Console.output(spec.helpText)
            return .success
        }
        let rate = try parsed.value("rate").map { text -> Double in
            guard let value = Double(text), value.isFinite, value >= 0 else {
                throw spec.usageError("--rate must be a number of lines per second, got \"\(text)\"")
            }
            return value
        }
        let settle = try parsed.seconds("settle", default: 0.2, spec: spec)
        let hold = try parsed.seconds("hold", default: 1, spec: spec)
        let path = parsed.positionals[0]
        let content = try FileReader.readAll(path: path, limit: 1 << 30)
        var lines = content.split(separator: 0x0A, omittingEmptySubsequences: false).map { Array($0) + [0x0A] }
        if content.last == 0x0A || content.isEmpty { lines.removeLast() }
        guard !lines.isEmpty else { throw CommandError("energy-agent simulate: \(path) holds no lines", code: .dataError) }

        let terminal = try SimulatedPort()
        defer { terminal.close() }
        if let link = parsed.value("link") { try terminal.link(at: link) }
        Console.output(terminal.slavePath + "\n")
        Console.error("energy-agent simulate: waiting for a reader on \(terminal.slavePath)\n")
        terminal.waitForReader(settle: settle)
        var written = 0
        let started = MonotonicClock.now()
        var due = started
        repeat {
            if rate == 0 {
                // Large writes: the pseudo-terminal takes what the reader has room for.
                var batch: [UInt8] = []
                for line in lines {
                    batch += line
                    if batch.count >= 1 << 16 {
                        terminal.write(batch, settle: settle)
                        batch.removeAll(keepingCapacity: true)
                    }
                }
                if !batch.isEmpty { terminal.write(batch, settle: settle) }
                written += lines.count
                continue
            }
            for line in lines {
                let now = MonotonicClock.now()
                if due > now { sleep(seconds: due - now) }
                terminal.write(line, settle: settle)
                written += 1
                let interval = rate.map { 1 / $0 } ?? Double(line.count * 10) / 115200
                // Behind schedule (the reader stalled), keep the pace from now rather than bursting.
                due = max(due + interval, MonotonicClock.now() - 1)
            }
        } while parsed.flag("loop")
        let seconds = MonotonicClock.now() - started
        Console.error(
            "energy-agent simulate: wrote \(written) lines in \(Double(Int(seconds * 100)) / 100) s; "
                + "closing in \(ClusterScheduler.seconds(hold))\n")
        sleep(seconds: hold)
        return .success
    }

    static func sleep(seconds: Double) {
        guard seconds > 0 else { return }
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - seconds.rounded(.down)) * 1e9))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0, errno == EINTR { request = remaining }
    }
}

/// The master side of a pseudo-terminal, in raw mode, whose slave a reader opens as a serial port.
final class SimulatedPort {
    let master: Int32
    let slavePath: String
    private var linkPath: String?
    private var closed = false

    /// Opens a pseudo-terminal pair and keeps only the master. The corresponding C function is `openpty`.
    /// - Throws: ``CommandError`` when no pseudo-terminal can be had.
    init() throws {
        var master: Int32 = -1
        var slave: Int32 = -1
        var name = [CChar](repeating: 0, count: 256)
        guard openpty(&master, &slave, &name, nil, nil) == 0 else {
            throw CommandError.system("cannot open a pseudo-terminal", code: .unavailable)
        }
        // Raw before anyone writes: otherwise the line discipline echoes and translates.
        var settings = termios()
        if tcgetattr(master, &settings) == 0 {
            cfmakeraw(&settings)
            cfsetispeed(&settings, speed_t(B115200))
            cfsetospeed(&settings, speed_t(B115200))
            _ = tcsetattr(master, TCSANOW, &settings)
        }
        _ = fcntl(master, F_SETFD, FD_CLOEXEC)
        // With no slave descriptor open here, the master reports POLLHUP until a reader opens it.
        _ = Glibc.close(slave)
        self.master = master
        self.slavePath = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit { close() }

    /// Makes `path` a symlink to the slave, replacing a symlink (not a file) already there.
    func link(at path: String) throws {
        var info = stat()
        if lstat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFLNK else {
                throw CommandError("energy-agent simulate: --link \(path) exists and is not a symlink", code: .cannotCreate)
            }
            unlink(path)
        }
        guard symlink(slavePath, path) == 0 else {
            throw CommandError.system("energy-agent simulate: cannot create the link \(path)", code: .cannotCreate)
        }
        linkPath = path
    }

    /// Closes the master (the reader sees a hang-up) and removes the link if it still points here.
    func close() {
        guard !closed else { return }
        closed = true
        _ = Glibc.close(master)
        if let linkPath {
            var target = [CChar](repeating: 0, count: 4096)
            let count = readlink(linkPath, &target, target.count - 1)
            let pointsHere = count > 0 && String(decoding: target[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) == slavePath
            if pointsHere { unlink(linkPath) }
        }
    }

    /// Whether a reader has the slave open.
    var hasReader: Bool {
        var entry = pollfd(fd: master, events: 0, revents: 0)
        _ = poll(&entry, 1, 0)
        return entry.revents & Int16(POLLHUP) == 0
    }

    /// Waits until a reader has the slave open, then `settle` seconds more, so that the reader's
    /// set-up (its flush of stale input) is over before the first byte.
    func waitForReader(settle: Double) {
        while !hasReader { SimulateCommand.sleep(seconds: 0.01) }
        SimulateCommand.sleep(seconds: settle)
    }

    /// Writes all of `bytes`, waiting for a reader again whenever there is none.
    func write(_ bytes: [UInt8], settle: Double) {
        var offset = 0
        while offset < bytes.count {
            if !hasReader {
                waitForReader(settle: settle)
                continue
            }
            let count = bytes.withUnsafeBytes { Glibc.write(master, $0.baseAddress! + offset, $0.count - offset) }
            if count > 0 {
                offset += count
            } else if count < 0, errno != EINTR {
                // EIO: the reader closed the slave between the check and the write.
                SimulateCommand.sleep(seconds: 0.01)
            }
        }
    }
}
