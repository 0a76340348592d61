import EventStore
import Glibc
import Reports
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
    /// The most lines kept in memory while the database fails; beyond, the ports are not read.
    public var backlogLines = 100_000
    /// The most line bytes kept in memory while the database fails; beyond, the ports are not read.
    public var backlogBytes = 64 << 20
    /// Seconds before storing is tried again after the database failed; the wait doubles at each
    /// failure up to `databaseRetryMaximum`.
    public var databaseRetryInitial = 0.25
    /// The longest wait between two attempts to store while the database fails.
    public var databaseRetryMaximum = 5.0

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
///
/// A failing database (full disk, file size limit, I/O error) does not stop the loop: the
/// transaction is rolled back, the counters are put back, and every line not committed is kept
/// in memory (``PendingLines``, bounded by `backlogLines` and `backlogBytes`, beyond which the
/// ports are left unread) and stored again, in order, with a growing wait between attempts.
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
    /// The names in /sys/class/tty at the last udev enumeration, and what it listed.
    private var lastTTYNames: [String]?
    private var lastListed: [TTYDevice] = []
    private var udev: Udev?
    private var monitor: UdevMonitor?
    /// Whether udev devices are found by rescanning (no daemon to send hotplug events).
    private(set) var rescans = false
    private var stopping = false
    private(set) var startedAt: String
    private var stopSignal: Int32?

    private var batchStartedAt = 0.0
    private var batchLines = 0
    /// Every line read and not committed yet, oldest first.
    private var pending = PendingLines()
    /// The counters when the open transaction began, put back if it is rolled back.
    private var batchSnapshot: (ingestor: Ingestor.Snapshot, devices: [ObjectIdentifier: WatchedDevice.Tally])?
    /// Clustering thresholds crossed in the open transaction, asked for once it is committed.
    private var crossedThresholds: [(device: Int64, events: Int)] = []
    /// Set while the database fails.
    private var outage: DatabaseOutage?

    /// The state of a database failure, from the first failed write to the first success.
    private struct DatabaseOutage {
        var since: Double
        var message: String
        var delay: Double
        var nextAttempt: Double
        var attempts = 1
        var readingPaused = false
        var nextReminder: Double
    }
    private let buffer: UnsafeMutableRawBufferPointer

    /// The state of storing, for `status.json`: `failing` while the database refuses writes.
    var storageStatus: String {
        var members: [(String, String)] = [
            ("state", JSONText.quote(outage == nil ? "ok" : "failing")),
            ("pending_lines", "\(pending.count)"),
            ("pending_bytes", "\(pending.byteCount)"),
            ("reading_paused", outage?.readingPaused == true ? "true" : "false"),
        ]
        if let outage {
            members.append(("failing_for_seconds", JSONText.number((MonotonicClock.now() - outage.since).rounded())))
            members.append(("error", JSONText.quote(outage.message)))
        } else {
            members.append(("failing_for_seconds", "null"))
            members.append(("error", "null"))
        }
        return JSONText.object(members)
    }
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
        if session.scheduler != nil {
            // A run must only see committed events, and a rolled-back batch must not have asked
            // for one: thresholds wait for their commit.
            session.ingestor.onThreshold = { [unowned self] device, count in
                crossedThresholds.append((device, count))
            }
        }
        openUdev()
        rescan(now: MonotonicClock.now())
        retryPaths(now: MonotonicClock.now())
        let watched = devices.filter(\.isOpen).count
        notifier.send("READY=1\nSTATUS=reading \(watched) device(s)")
        log.info(
            "running: \(watched) device(s) open, data in \(session.data.path), "
                + (monitor != nil ? "udev monitor on" : "no udev monitor")
                + (rescans ? ", rescanning every \(ClusterScheduler.seconds(configuration.rescanInterval))" : ""))
        if watched == 0 {
            log.info(
                "waiting for a sensor: plug it in, or name its port with --device PATH "
                    + "(`energy-agent devices` lists the serial ports and what would be done with each)")
        }
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
                let paused = outage?.readingPaused ?? false
                for device in devices where !paused {
                    guard let port = device.port else { continue }
                    descriptors.append(pollfd(fd: port.fileDescriptor, events: Int16(POLLIN), revents: 0))
                    polled.append(device)
                }
                var deadline = min(nextStatus, nextReport, nextWatchdog)
                if rescans { deadline = min(deadline, nextRescan) }
                if devices.contains(where: needsRetry) { deadline = min(deadline, nextRetry) }
                // While the database fails, silence is not looked for: the ports may be left unread.
                for device in polled where outage == nil {
                    switch device.state {
                    case .probing: deadline = min(deadline, device.probeDeadline)
                    case .adopted: deadline = min(deadline, device.lastDataAt + configuration.silenceTimeout)
                    default: break
                    }
                }
                if let outage { deadline = min(deadline, outage.nextAttempt) }
                if let scheduler = session.scheduler, !scheduler.isIdle { deadline = min(deadline, now + 1) }
                // With lines waiting to be committed, only look: commit as soon as nothing more is there.
                let timeout =
                    store.isInTransaction ? 0 : Int32(max(0, min(60_000, ((deadline - now) * 1000).rounded(.up))))
                let ready = poll(&descriptors, nfds_t(descriptors.count), timeout)
                if ready < 0 {
                    if errno == EINTR { continue }
                    throw CommandError.system("poll failed", code: .software)
                }
                now = MonotonicClock.now()
                if ready == 0, store.isInTransaction { commit() }

                if descriptors[0].revents != 0 {
                    // SIGCHLD needs nothing here: the scheduler is polled below, outside a transaction.
                    for number in signals.drain() where number != SIGCHLD {
                        if !stopping {
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
                    readAvailable(device, revents: events, now: now)
                }
                if store.isInTransaction,
                    now - batchStartedAt >= configuration.commitInterval || batchLines >= configuration.commitLines
                {
                    commit()
                }
                if stopping { break }
                if let outage, now >= outage.nextAttempt { retryStoring(now: now, budget: 0.05) }

                for device in devices where device.port != nil && outage == nil {
                    if device.state == .probing, now >= device.probeDeadline {
                        release(device, now: now)
                    } else if device.state == .adopted, now - device.lastDataAt >= configuration.silenceTimeout {
                        reopenSilent(device, now: now)
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
                // Results are stored outside the batch's transaction (a rolled-back batch must not
                // take a run's labels with it), and wait on disk while the database fails.
                if outage == nil, !store.isInTransaction { session.scheduler?.poll() }
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
            if device.state == .adopted { flushPartialLine(device) }
            closePort(device)
        }
        if store.isInTransaction { commit() }
        if outage != nil { retryStoring(now: MonotonicClock.now(), budget: .infinity) }
        if let outage {
            throw CommandError(
                "\(pending.count) line(s) read could not be stored and are lost: the database still fails: "
                    + outage.message,
                code: .ioError)
        }
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

    private func readAvailable(_ device: WatchedDevice, revents: Int16, now: Double) {
        guard let port = device.port else { return }
        if revents & Int16(POLLNVAL) != 0 {
            unplug(device, why: "its descriptor became invalid", now: now)
            return
        }
        // Bounded, so that one busy port cannot starve the others or the timers.
        for _ in 0..<64 {
            let result: SerialPort.ReadResult
            do {
                result = try port.read(into: buffer)
            } catch {
                unplug(device, why: "\(error)", now: now)
                return
            }
            switch result {
            case .bytes(let count):
                device.bytes += count
                device.lastDataAt = now
                let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
                let receivedAt = clock.nowText()
                if device.state == .probing {
                    probe(device, chunk, receivedAt: receivedAt, now: now)
                } else {
                    device.framer.append(chunk) { line in ingest(line, from: device, receivedAt: receivedAt) }
                }
                if count < buffer.count { return }
            case .wouldBlock:
                return
            case .endOfFile:
                unplug(device, why: "end of file (unplugged or hung up)", now: now)
                return
            }
        }
    }

    /// Stores a framed line, or keeps it for later while the database fails.
    private func ingest(_ line: LineFramer.Line, from device: WatchedDevice, receivedAt: String) {
        pending.append(line.bytes, length: line.length, device: device, receivedAt: receivedAt)
        guard outage == nil else {
            checkBacklog()
            return
        }
        do {
            if !store.isInTransaction { try beginBatch() }
            try storeLine(line.bytes, length: line.length, from: device, receivedAt: receivedAt)
        } catch {
            databaseFailed(error)
        }
    }

    private func beginBatch() throws {
        try store.begin()
        batchStartedAt = MonotonicClock.now()
        batchLines = 0
        var tallies: [ObjectIdentifier: WatchedDevice.Tally] = [:]
        for device in devices { tallies[ObjectIdentifier(device)] = device.tally }
        batchSnapshot = (session.ingestor.snapshot(), tallies)
    }

    private func storeLine(
        _ bytes: UnsafeBufferPointer<UInt8>, length: Int, from device: WatchedDevice, receivedAt: String
    ) throws {
        let before = session.ingestor.counts
        try session.ingestor.ingest(
            bytes: bytes, length: length, source: device.path, sourceLine: nil, receivedAt: receivedAt)
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

    /// Commits the open transaction; on failure its lines stay pending and are stored later.
    private func commit() {
        do {
            try store.commit()
        } catch {
            databaseFailed(error)
            return
        }
        pending.removeAll()
        committed()
    }

    /// The lines of the transaction just committed are in the database: ask for the runs they crossed.
    private func committed() {
        batchLines = 0
        batchSnapshot = nil
        let thresholds = crossedThresholds
        crossedThresholds = []
        for threshold in thresholds {
            session.scheduler?.request(device: threshold.device, events: threshold.events)
        }
    }

    /// Rolls the open transaction back, puts the counters back and sets the next attempt.
    private func databaseFailed(_ error: Error) {
        store.rollback()
        if let snapshot = batchSnapshot {
            session.ingestor.restore(snapshot.ingestor)
            for device in devices { device.tally = snapshot.devices[ObjectIdentifier(device)] ?? .init() }
        }
        batchSnapshot = nil
        batchLines = 0
        crossedThresholds = []
        let now = MonotonicClock.now()
        let message = "\(error)"
        if var outage {
            outage.attempts += 1
            outage.delay = min(outage.delay * 2, configuration.databaseRetryMaximum)
            outage.nextAttempt = now + outage.delay
            if message != outage.message {
                log.error("the database still fails: \(message)")
                outage.message = message
            }
            if now >= outage.nextReminder {
                log.error(
                    "the database has failed for \(Int(now - outage.since)) s; \(pending.count) line(s) waiting")
                outage.nextReminder = now + 60
            }
            self.outage = outage
        } else {
            let delay = configuration.databaseRetryInitial
            outage = DatabaseOutage(
                since: now, message: message, delay: delay, nextAttempt: now + delay, nextReminder: now + 60)
            log.error(
                "cannot store lines: \(message); \(pending.count) line(s) kept in memory, storing them is tried "
                    + "again with a growing wait (up to \(ClusterScheduler.seconds(configuration.databaseRetryMaximum)))")
            notifier.send("STATUS=the database fails; lines kept in memory")
        }
        checkBacklog()
    }

    /// Stops reading the ports when the lines kept in memory reach the limit.
    private func checkBacklog() {
        guard var outage, !outage.readingPaused else { return }
        guard pending.count >= configuration.backlogLines || pending.byteCount >= configuration.backlogBytes else {
            return
        }
        outage.readingPaused = true
        self.outage = outage
        log.error(
            "\(pending.count) line(s) (\(pending.byteCount) bytes) are waiting for the database: "
                + "not reading the ports until it works again")
    }

    /// Stores the pending lines, oldest first, in transactions of at most `commitLines` lines,
    /// for about `budget` seconds; what is left waits for the next turn of the loop.
    private func retryStoring(now: Double, budget: Double) {
        guard let since = outage?.since else { return }
        let started = MonotonicClock.now()
        while !pending.isEmpty {
            let count = min(pending.count, configuration.commitLines)
            do {
                try beginBatch()
                for index in 0..<count {
                    try pending.withLine(at: index) { entry, bytes in
                        try storeLine(bytes, length: entry.length, from: entry.device, receivedAt: entry.receivedAt)
                    }
                }
                try store.commit()
            } catch {
                databaseFailed(error)
                return
            }
            pending.removeFirst(count)
            committed()
            outage?.delay = configuration.databaseRetryInitial
            if MonotonicClock.now() - started > budget, !pending.isEmpty {
                outage?.nextAttempt = MonotonicClock.now()
                return
            }
        }
        let paused = outage?.readingPaused ?? false
        outage = nil
        log.info(
            "the database works again after \(Int((MonotonicClock.now() - since).rounded())) s; "
                + "every line kept in memory is stored" + (paused ? "; reading the ports again" : ""))
        notifier.send("STATUS=reading")
        // The ports were perhaps left unread: silence counts from now.
        let resumed = MonotonicClock.now()
        for device in devices where device.port != nil { device.lastDataAt = resumed }
    }

    /// Keeps what a probed port sends, and adopts it at the first line that parses.
    private func probe(_ device: WatchedDevice, _ chunk: UnsafeRawBufferPointer, receivedAt: String, now: Double) {
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
            device.framer.append(bytes) { line in ingest(line, from: device, receivedAt: chunkReceivedAt) }
        }
    }

    private func resetProbe(_ device: WatchedDevice) {
        device.probeChunks = []
        device.probeBytes = 0
        device.probeFramer = LineFramer()
        device.probeLines = 0
    }

    /// An unfinished line is stored (it will most likely be rejected) rather than lost.
    private func flushPartialLine(_ device: WatchedDevice) {
        let receivedAt = clock.nowText()
        device.framer.finish { line in ingest(line, from: device, receivedAt: receivedAt) }
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

    private func unplug(_ device: WatchedDevice, why: String, now: Double) {
        if device.state == .adopted { flushPartialLine(device) }
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

    private func reopenSilent(_ device: WatchedDevice, now: Double) {
        log.warning(
            "no data from \(device.label) for \(ClusterScheduler.seconds(configuration.silenceTimeout)); reopening it")
        flushPartialLine(device)
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
        // Listing /sys/class/tty costs a few system calls; enumerating every tty through udev
        // costs hundreds. Enumerate only when the names changed (or cannot be read).
        let names = Self.ttyClassNames()
        if let names, names == lastTTYNames {
            listed = lastListed
        } else {
            do {
                listed = try udev.ttyDevices()
            } catch {
                log.warning("udev scan failed: \(error)")
                return
            }
            lastTTYNames = names
            lastListed = listed
        }
        let present = Set(listed.map(\.syspath))
        for device in devices {
            guard case .udev(let syspath) = device.origin, !present.contains(syspath) else { continue }
            if device.port != nil {
                unplug(device, why: "no longer listed by udev", now: now)
            } else if device.state == .released || device.state == .busy {
                // Gone: when it comes back it is a new plug, probed afresh.
                setState(device, .unplugged, "no longer listed by udev")
            }
        }
        for tty in listed { consider(tty, now: now, isNewPlug: false) }
    }

    /// The names in `/sys/class/tty`, sorted; `nil` when the directory cannot be read.
    static func ttyClassNames() -> [String]? {
        FileSystem.names(in: "/sys/class/tty")?.sorted()
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
                    unplug(device, why: "removed (udev)", now: now)
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
