import EventStore
import Glibc
import SensorFormat
import SerialDevices

/// The settings of `energy-agent run`'s event loop.
public struct AgentLoopConfiguration: Sendable {
    /// Which ttys are read.
    public var selection: DeviceSelectionOptions
    /// The line speed.
    public var baudRate: Int = 115200
    /// Seconds an unselected USB serial adapter has to send a sensor event before it is released.
    public var probeTimeout: Double = 30
    /// Seconds without data after which an adopted port is reopened.
    public var silenceTimeout: Double = 60
    /// Seconds between two writes of the status file.
    public var statusInterval: Double = 5
    /// Seconds between two udev scans where no udev daemon sends hotplug events.
    public var rescanInterval: Double = 5
    /// Seconds between two attempts to open a `--device` path that is absent, busy or unplugged.
    public var retryInterval: Double = 1
    /// The oldest a batch of lines may get before it is committed.
    public var commitInterval: Double = 0.1
    /// The most lines in one transaction.
    public var commitLines = 4096
    /// Seconds a clustering run gets to stop on the way out before it is killed.
    public var stopGrace: Double = 5
    /// Seconds between two reports of rejected lines in the log.
    public var rejectedReportInterval: Double = 60
    /// The status file.
    public var statusPath: String
    /// The most bytes kept from a port being probed.
    public var probeBufferLimit = 1 << 20

    /// Creates a configuration with the defaults of `energy-agent run`.
    public init(selection: DeviceSelectionOptions, statusPath: String) {
        self.selection = selection
        self.statusPath = statusPath
    }
}

/// The agent's one event loop: ports, the udev monitor, signals, the clustering children and
/// timers, all in one `poll()`.
///
/// Lines are stored in transactions that are committed as soon as no more data is waiting,
/// and at the latest when the batch is `commitInterval` old, so that a line is committed
/// within 100 ms of arriving while a flood still goes in large batches.
final class AgentLoop {
    let configuration: AgentLoopConfiguration
    let session: Session
    let log: Logger
    let notifier: Notifier
    private let selector: DeviceSelector
    private let parser = EventParser()
    private var clock = WallClock()

    /// Every device the agent knows, in the order it learned of them.
    private(set) var devices: [WatchedDevice] = []
    private var udev: Udev?
    private var monitor: UdevMonitor?
    /// Whether udev devices are found by rescanning (no daemon to send hotplug events).
    private(set) var rescans = false
    private var stopping = false
    private(set) var startedAt: String
    private var stopSignal: Int32?

    private var batchStartedAt = 0.0
    private var batchLines = 0
    private let buffer: UnsafeMutableRawBufferPointer
    private(set) var totalsAtStart: (events: Int, rejected: Int) = (0, 0)
    /// The last status write failure, logged once.
    var statusFailure: String?

    /// How udev devices are found: `monitor`, `monitor+rescan`, `rescan` or `none`.
    var discoveryMode: String {
        if udev == nil { return "none" }
        if monitor == nil { return "rescan" }
        return rescans ? "monitor+rescan" : "monitor"
    }

    init(configuration: AgentLoopConfiguration, session: Session, log: Logger) {
        self.configuration = configuration
        self.session = session
        self.log = log
        self.notifier = Notifier(log: log)
        self.selector = DeviceSelector(options: configuration.selection)
        self.buffer = .allocate(byteCount: 1 << 16, alignment: 16)
        var clock = WallClock()
        self.startedAt = clock.nowText()
    }

    deinit {
        buffer.deallocate()
    }

    private var store: EventStore { session.store }

    /// Runs until SIGTERM or SIGINT, then shuts down in order.
    /// - Throws: ``CommandError`` when the database fails, or the loop cannot be set up.
    func run() throws {
        let signals = try SignalPipe()
        defer { signals.close() }
        totalsAtStart = try store.totals()
        openUdev()
        rescan(now: MonotonicClock.now())
        retryPaths(now: MonotonicClock.now())
        let watched = devices.filter(\.isOpen).count
        notifier.send("READY=1\nSTATUS=reading \(watched) device(s)")
        log.info(
            "running: \(watched) device(s) open, data in \(session.data.path), "
                + (monitor != nil ? "udev monitor on" : "no udev monitor")
                + (rescans ? ", rescanning every \(ClusterScheduler.seconds(configuration.rescanInterval))" : ""))
        writeStatus(state: "running")

        var now = MonotonicClock.now()
        var nextStatus = now + configuration.statusInterval
        var nextRescan = now + configuration.rescanInterval
        var nextRetry = now + configuration.retryInterval
        var nextReport = now + configuration.rejectedReportInterval
        var nextWatchdog = notifier.watchdogInterval.map { now + $0 } ?? .infinity
        if notifier.watchdogInterval != nil { notifier.send("WATCHDOG=1") }

        var descriptors: [pollfd] = []
        var polled: [WatchedDevice] = []
        do {
            while !stopping {
                descriptors.removeAll(keepingCapacity: true)
                polled.removeAll(keepingCapacity: true)
                descriptors.append(pollfd(fd: signals.fileDescriptor, events: Int16(POLLIN), revents: 0))
                if let monitor {
                    descriptors.append(pollfd(fd: monitor.fileDescriptor, events: Int16(POLLIN), revents: 0))
                }
                for device in devices {
                    guard let port = device.port else { continue }
                    descriptors.append(pollfd(fd: port.fileDescriptor, events: Int16(POLLIN), revents: 0))
                    polled.append(device)
                }
                var deadline = min(nextStatus, nextReport, nextWatchdog)
                if rescans { deadline = min(deadline, nextRescan) }
                if devices.contains(where: needsRetry) { deadline = min(deadline, nextRetry) }
                for device in polled {
                    switch device.state {
                    case .probing: deadline = min(deadline, device.probeDeadline)
                    case .adopted: deadline = min(deadline, device.lastDataAt + configuration.silenceTimeout)
                    default: break
                    }
                }
                if let scheduler = session.scheduler, !scheduler.isIdle { deadline = min(deadline, now + 1) }
                // With lines waiting to be committed, only look: commit as soon as nothing more is there.
                let timeout =
                    store.isInTransaction ? 0 : Int32(max(0, min(60_000, ((deadline - now) * 1000).rounded(.up))))
                let ready = poll(&descriptors, nfds_t(descriptors.count), timeout)
                if ready < 0 {
                    if errno == EINTR { continue }
                    throw CommandError("poll failed: \(String(cString: strerror(errno)))", code: .software)
                }
                now = MonotonicClock.now()
                if ready == 0, store.isInTransaction { try commit() }

                if descriptors[0].revents != 0 {
                    for number in signals.drain() {
                        if number == SIGCHLD {
                            session.scheduler?.poll()
                        } else if !stopping {
                            stopping = true
                            stopSignal = number
                        }
                    }
                }
                var index = 1
                if monitor != nil {
                    if descriptors[index].revents != 0 { handleUdevEvents(now: now) }
                    index += 1
                }
                for device in polled {
                    let events = descriptors[index].revents
                    index += 1
                    guard events != 0, !stopping, device.port != nil else { continue }
                    try readAvailable(device, revents: events, now: now)
                }
                if store.isInTransaction,
                    now - batchStartedAt >= configuration.commitInterval || batchLines >= configuration.commitLines
                {
                    try commit()
                }
                if stopping { break }

                for device in devices where device.port != nil {
                    if device.state == .probing, now >= device.probeDeadline {
                        release(device, now: now)
                    } else if device.state == .adopted, now - device.lastDataAt >= configuration.silenceTimeout {
                        try reopenSilent(device, now: now)
                    }
                }
                if rescans, now >= nextRescan {
                    rescan(now: now)
                    nextRescan = now + configuration.rescanInterval
                }
                if now >= nextRetry {
                    retryPaths(now: now)
                    nextRetry = now + configuration.retryInterval
                }
                session.scheduler?.poll()
                if now >= nextReport {
                    reportRejected()
                    nextReport = now + configuration.rejectedReportInterval
                }
                if now >= nextWatchdog {
                    notifier.send("WATCHDOG=1")
                    nextWatchdog = now + (notifier.watchdogInterval ?? .infinity)
                }
                if now >= nextStatus {
                    writeStatus(state: "running")
                    nextStatus = now + configuration.statusInterval
                }
            }
            try shutDown()
        } catch {
            store.rollback()
            for device in devices { closePort(device) }
            session.scheduler?.stopAll(grace: 0)
            writeStatus(state: "failed")
            notifier.send("STOPPING=1")
            if let error = error as? DatabaseError {
                throw CommandError("the database failed: \(error)", code: error.isBusy ? .unavailable : .ioError)
            }
            throw error
        }
    }

    /// Stops reading, stores partial lines, commits, stops clustering and writes the status.
    private func shutDown() throws {
        notifier.send("STOPPING=1")
        let name = stopSignal.map { String(cString: strsignal($0)) } ?? "stop"
        log.info("stopping (\(name))")
        for device in devices where device.port != nil {
            if device.state == .adopted { try flushPartialLine(device) }
            closePort(device)
        }
        if store.isInTransaction { try commit() }
        reportRejected()
        if let scheduler = session.scheduler, !scheduler.isIdle {
            log.info("giving the clustering run up to \(ClusterScheduler.seconds(configuration.stopGrace)) to stop")
            scheduler.stopAll(grace: configuration.stopGrace)
        }
        writeStatus(state: "stopped")
        let counts = session.ingestor.counts
        log.info("stopped: \(counts.summary)")
    }

    // MARK: Reading

    private func readAvailable(_ device: WatchedDevice, revents: Int16, now: Double) throws {
        guard let port = device.port else { return }
        if revents & Int16(POLLNVAL) != 0 {
            try unplug(device, why: "its descriptor became invalid", now: now)
            return
        }
        // Bounded, so that one busy port cannot starve the others or the timers.
        for _ in 0..<64 {
            let result: SerialPort.ReadResult
            do {
                result = try port.read(into: buffer)
            } catch {
                try unplug(device, why: "\(error)", now: now)
                return
            }
            switch result {
            case .bytes(let count):
                device.bytes += count
                device.lastDataAt = now
                let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
                let receivedAt = clock.nowText()
                if device.state == .probing {
                    try probe(device, chunk, receivedAt: receivedAt, now: now)
                } else {
                    try device.framer.append(chunk) { line in try ingest(line, from: device, receivedAt: receivedAt) }
                }
                if count < buffer.count { return }
            case .wouldBlock:
                return
            case .endOfFile:
                try unplug(device, why: "end of file (unplugged or hung up)", now: now)
                return
            }
        }
    }

    private func ingest(_ line: LineFramer.Line, from device: WatchedDevice, receivedAt: String) throws {
        if !store.isInTransaction {
            try store.begin()
            batchStartedAt = MonotonicClock.now()
            batchLines = 0
        }
        let before = session.ingestor.counts
        try session.ingestor.ingest(line, source: device.path, sourceLine: nil, receivedAt: receivedAt)
        let after = session.ingestor.counts
        batchLines += 1
        device.lines += 1
        if after.stored > before.stored {
            device.events += 1
            device.lastEventAt = receivedAt
        } else if after.duplicates > before.duplicates {
            device.duplicates += 1
        } else {
            device.rejected += 1
            for (field, count) in after.rejectedByField where count > before.rejectedByField[field] ?? 0 {
                device.rejectedForReport[field, default: 0] += 1
            }
        }
    }

    private func commit() throws {
        try store.commit()
        batchLines = 0
    }

    /// Keeps what a probed port sends, and adopts it at the first line that parses.
    private func probe(_ device: WatchedDevice, _ chunk: UnsafeRawBufferPointer, receivedAt: String, now: Double) throws {
        device.probeChunks.append((Array(chunk), receivedAt))
        device.probeBytes += chunk.count
        while device.probeBytes > configuration.probeBufferLimit, device.probeChunks.count > 1 {
            device.probeBytes -= device.probeChunks.removeFirst().bytes.count
        }
        var found = false
        device.probeFramer.append(chunk) { line in
            device.probeLines += 1
            if !found, !line.isTruncated, (try? parser.parse(line.bytes)) != nil { found = true }
        }
        guard found else { return }
        device.state = .adopted
        device.since = clock.nowText()
        device.detail = "adopted: a line parsed as a sensor event while probing"
        log.info("adopted \(device.label): a line parsed as a sensor event")
        // Everything read while probing goes in now, the partial first line included.
        let chunks = device.probeChunks
        resetProbe(device)
        for (bytes, chunkReceivedAt) in chunks {
            try device.framer.append(bytes) { line in try ingest(line, from: device, receivedAt: chunkReceivedAt) }
        }
    }

    private func resetProbe(_ device: WatchedDevice) {
        device.probeChunks = []
        device.probeBytes = 0
        device.probeFramer = LineFramer()
        device.probeLines = 0
    }

    /// An unfinished line is stored (it will most likely be rejected) rather than lost.
    private func flushPartialLine(_ device: WatchedDevice) throws {
        let receivedAt = clock.nowText()
        try device.framer.finish { line in try ingest(line, from: device, receivedAt: receivedAt) }
        device.framer = LineFramer()
    }

    // MARK: Device life cycle

    private func closePort(_ device: WatchedDevice) {
        guard let port = device.port else { return }
        device.port = nil
        do {
            try port.close()
        } catch {
            log.warning("\(device.path): \(error)")
        }
    }

    private func setState(_ device: WatchedDevice, _ state: WatchedDevice.State, _ detail: String) {
        device.state = state
        device.detail = detail
        device.since = clock.nowText()
    }

    private func open(_ device: WatchedDevice, now: Double) {
        guard device.port == nil else { return }
        device.nextAttempt = now + configuration.retryInterval
        let port: SerialPort
        do {
            port = try SerialPort(path: device.path, baudRate: configuration.baudRate)
        } catch let error as SerialPortError {
            if case .inUse = error {
                let retry = device.probes ? "left alone until it is plugged again" : "retrying quietly"
                if !device.quietRetry || device.state != .busy {
                    log.warning("\(device.label) is in use by another process; \(retry)")
                }
                setState(device, .busy, "\(error); \(retry)")
            } else {
                if !device.quietRetry { log.error("cannot open \(device.label): \(error)") }
                setState(device, .waiting, "\(error)")
            }
            device.quietRetry = true
            return
        } catch let error as SystemError {
            if error.errno == ENOENT {
                if !device.quietRetry { log.info("waiting for \(device.path) to appear") }
                setState(device, .waiting, "\(device.path) does not exist")
            } else {
                if !device.quietRetry { log.error("cannot open \(device.label): \(error); retrying") }
                setState(device, .waiting, "\(error)")
            }
            device.quietRetry = true
            return
        } catch {
            if !device.quietRetry { log.error("cannot open \(device.label): \(error); retrying") }
            setState(device, .waiting, "\(error)")
            device.quietRetry = true
            return
        }
        if device.opens == 0 {
            for warning in port.warnings { log.warning("\(device.path): \(warning)") }
        }
        device.port = port
        device.opens += 1
        device.quietRetry = false
        device.framer = LineFramer()
        device.lastDataAt = now
        if device.probes {
            resetProbe(device)
            device.probeDeadline = now + configuration.probeTimeout
            setState(device, .probing, device.reason)
            log.info(
                "probing \(device.label): \(device.reason) within "
                    + ClusterScheduler.seconds(configuration.probeTimeout))
        } else {
            setState(device, .adopted, device.reason)
            log.info("adopted \(device.label): \(device.reason)")
        }
    }

    private func unplug(_ device: WatchedDevice, why: String, now: Double) throws {
        if device.state == .adopted { try flushPartialLine(device) }
        let wasProbing = device.state == .probing
        closePort(device)
        resetProbe(device)
        device.nextAttempt = now + configuration.retryInterval
        device.quietRetry = false
        setState(device, .unplugged, why)
        if wasProbing {
            log.info("\(device.label) went away while being probed: \(why); nothing stored from it")
        } else {
            log.info("unplugged \(device.label): \(why); \(device.events) events read from it so far; waiting for it")
        }
    }

    private func release(_ device: WatchedDevice, now: Double) {
        let lines = device.probeLines
        let bytes = device.probeBytes
        closePort(device)
        resetProbe(device)
        let detail =
            "no sensor event within \(ClusterScheduler.seconds(configuration.probeTimeout)) "
            + "(\(lines) lines, \(bytes) bytes read and not stored); left alone until it is plugged again"
        setState(device, .released, detail)
        log.info("released \(device.label): \(detail)")
    }

    private func reopenSilent(_ device: WatchedDevice, now: Double) throws {
        log.warning(
            "no data from \(device.label) for \(ClusterScheduler.seconds(configuration.silenceTimeout)); reopening it")
        try flushPartialLine(device)
        closePort(device)
        device.quietRetry = false
        open(device, now: now)
    }

    private func needsRetry(_ device: WatchedDevice) -> Bool {
        guard device.port == nil else { return false }
        switch device.state {
        case .waiting, .unplugged: return !device.probes
        case .busy: return !device.probes
        default: return false
        }
    }

    // MARK: Discovery

    private func openUdev() {
        do {
            let udev = try Udev()
            self.udev = udev
            do {
                monitor = try UdevMonitor(udev: udev)
            } catch {
                log.warning("no udev monitor (\(error)); rescanning instead")
            }
        } catch {
            log.warning("no udev (\(error)); only --device paths are read")
        }
        rescans = udev != nil && (monitor == nil || !Udev.isDaemonRunning())
    }

    /// The `--device` path that names this node, else the node itself.
    private func sourcePath(for tty: TTYDevice) -> String? {
        guard let node = tty.devnode else { return nil }
        let canonical = DeviceSelector.realPath(node) ?? node
        for path in configuration.selection.devices where path == node || DeviceSelector.realPath(path) == canonical {
            return path
        }
        return node
    }

    private func udevDevice(syspath: String) -> WatchedDevice? {
        devices.first { $0.origin == .udev(syspath: syspath) }
    }

    /// Lists udev's ttys: new ones are decided on, vanished ones are unplugged.
    private func rescan(now: Double) {
        guard let udev else { return }
        let listed: [TTYDevice]
        do {
            listed = try udev.ttyDevices()
        } catch {
            log.warning("udev scan failed: \(error)")
            return
        }
        let present = Set(listed.map(\.syspath))
        for device in devices {
            guard case .udev(let syspath) = device.origin, !present.contains(syspath) else { continue }
            if device.port != nil {
                try? unplug(device, why: "no longer listed by udev", now: now)
            } else if device.state == .released || device.state == .busy {
                // Gone: when it comes back it is a new plug, probed afresh.
                setState(device, .unplugged, "no longer listed by udev")
            }
        }
        for tty in listed { consider(tty, now: now, isNewPlug: false) }
    }

    private func handleUdevEvents(now: Double) {
        guard let monitor else { return }
        while true {
            let event: UdevEvent?
            do {
                event = try monitor.receive()
            } catch {
                log.warning("udev monitor: \(error)")
                return
            }
            guard let event else { return }
            switch event.action {
            case .remove:
                guard let device = udevDevice(syspath: event.device.syspath) else { continue }
                if device.port != nil {
                    try? unplug(device, why: "removed (udev)", now: now)
                } else {
                    setState(device, .unplugged, "removed (udev)")
                }
            case .add, .change:
                // udev's own description has the USB parent, which a monitor event may lack.
                let tty = udev?.device(syspath: event.device.syspath) ?? event.device
                consider(tty, now: now, isNewPlug: event.action == .add)
            case .other:
                continue
            }
        }
    }

    /// Decides about a tty udev reports and opens it when it is to be adopted or probed.
    private func consider(_ tty: TTYDevice, now: Double, isNewPlug: Bool) {
        if let device = udevDevice(syspath: tty.syspath) {
            device.tty = tty
            guard device.port == nil else { return }
            switch device.state {
            case .released:
                guard isNewPlug else { return }
            case .busy where device.probes:
                guard isNewPlug else { return }
            case .unplugged, .waiting, .busy:
                guard isNewPlug || now >= device.nextAttempt else { return }
            default:
                return
            }
            let decision = selector.decide(tty)
            guard decision.verdict != .ignore else { return }
            device.reason = decision.reason
            device.probes = decision.verdict == .probe
            device.quietRetry = false
            open(device, now: now)
            return
        }
        let decision = selector.decide(tty)
        guard decision.verdict != .ignore, let path = sourcePath(for: tty) else { return }
        // A --device path already open under its own name stands for this node.
        if devices.contains(where: { $0.port != nil && $0.node == DeviceSelector.realPath(path) }) { return }
        let device = WatchedDevice(
            origin: .udev(syspath: tty.syspath), path: path, node: tty.devnode, tty: tty, reason: decision.reason,
            probes: decision.verdict == .probe, state: .waiting, since: clock.nowText())
        devices.append(device)
        open(device, now: now)
    }

    /// Opens `--device` paths that udev does not cover (pseudo-terminals, paths not there yet).
    private func retryPaths(now: Double) {
        for path in configuration.selection.devices {
            let canonical = DeviceSelector.realPath(path)
            if devices.contains(where: { device in
                if case .udev = device.origin {
                    return device.path == path || (canonical != nil && device.node.flatMap(DeviceSelector.realPath) == canonical)
                }
                return false
            }) {
                continue
            }
            let device: WatchedDevice
            if let known = devices.first(where: { $0.origin == .path(path) }) {
                device = known
            } else {
                device = WatchedDevice(
                    origin: .path(path), path: path, node: canonical, tty: nil, reason: "named by --device \(path)",
                    probes: false, state: .waiting, since: clock.nowText())
                devices.append(device)
            }
            guard device.port == nil, now >= device.nextAttempt || device.opens == 0 && !device.quietRetry else {
                continue
            }
            device.node = canonical ?? device.node
            open(device, now: now)
        }
        // udev devices that went away without a remove event and are selected are retried too.
        for device in devices where device.port == nil && !device.probes {
            guard case .udev = device.origin, device.state == .unplugged || device.state == .busy
                || device.state == .waiting, now >= device.nextAttempt
            else { continue }
            if let tty = device.tty, udev?.device(syspath: tty.syspath) != nil {
                open(device, now: now)
            }
        }
    }

    // MARK: Logs

    private func reportRejected() {
        for device in devices where !device.rejectedForReport.isEmpty {
            let total = device.rejectedForReport.values.reduce(0, +)
            let parts = device.rejectedForReport.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
                .map { "\($0.key): \($0.value)" }
            log.info(
                "\(device.path): \(total) line(s) rejected in the last "
                    + "\(ClusterScheduler.seconds(configuration.rejectedReportInterval)) (\(parts.joined(separator: ", ")))")
            device.rejectedForReport = [:]
        }
    }
}

// The loop owns ports, a udev context and a store connection: one thread.
@available(*, unavailable)
extension AgentLoop: Sendable {}
