import ClusterProtocol
import EventStore
import Glibc
import MeanShift
import Reports
import SensorFormat

/// Starts clustering runs in child processes, one device at a time, and stores their results.
///
/// Single-threaded: the owner calls ``poll()`` from its loop (or ``waitForAll()`` at the end);
/// nothing here blocks ingestion. The child reads a feature snapshot (`.npy`) from a file and
/// writes its JSON result to a file, so no pipe can fill up and deadlock.
public final class ClusterScheduler {
    /// What happens to thresholds crossed while a run of the same device is in flight.
    public enum Pending: Sendable {
        /// The live rule: they coalesce into one next run over the latest multiple.
        case coalesce
        /// Every threshold gets its own run, in order, as if the events had come at the sensor's pace.
        case queue
    }

    /// The settings of the clustering runs.
    public struct Configuration: Sendable {
        /// The command and its arguments, run directly (no shell).
        public var command: [String]
        /// A run still going after this many seconds is killed and marked failed.
        public var timeout: Double
        /// Where snapshots and results are written while a run is in flight.
        public var workDirectory: String
        public var pending: Pending

        public init(command: [String], timeout: Double, workDirectory: String, pending: Pending) {
            self.command = command
            self.timeout = timeout
            self.workDirectory = workDirectory
            self.pending = pending
        }
    }

    private struct InFlight {
        var runID: Int64
        var device: Int64
        var eventIDs: [Int64]
        var child: ChildProcess
        var startedAt: Double
        var files: RunFiles
    }

    private struct RunFiles {
        var input: String
        var output: String
        var errors: String

        func remove() {
            unlink(input)
            unlink(output)
            unlink(errors)
        }
    }

    public let configuration: Configuration
    private let store: EventStore
    private let log: Logger
    private var inFlight: [Int64: InFlight] = [:]
    private var waiting: [Int64: [Int]] = [:]
    private var clock = WallClock()
    /// Called after a run's result has been stored.
    public var onRunFinished: ((ClusterRun) -> Void)?
    /// Runs that ended, successfully or not, since the scheduler was made.
    public private(set) var finishedRuns: [ClusterRun] = []

    /// Creates a scheduler.
    public init(store: EventStore, configuration: Configuration, log: Logger) {
        self.store = store
        self.configuration = configuration
        self.log = log
        removeAbandonedRunFiles()
    }

    /// Removes the snapshots and results of runs an earlier agent left behind when it died: the
    /// database lock makes this process the only writer, so no run of another process is in flight.
    private func removeAbandonedRunFiles() {
        for name in FileSystem.names(in: configuration.workDirectory) ?? [] where name.hasPrefix("run-") {
            unlink("\(configuration.workDirectory)/\(name)")
        }
    }

    /// Whether any run is in flight or waiting.
    public var isIdle: Bool { inFlight.isEmpty && waiting.values.allSatisfy(\.isEmpty) }

    /// The runs in flight: device, run id, events covered, seconds running.
    public var runsInFlight: [(device: Int64, run: Int64, events: Int, seconds: Double)] {
        inFlight.values.sorted { $0.device < $1.device }.map {
            ($0.device, $0.runID, $0.eventIDs.count, WallClock.now() - $0.startedAt)
        }
    }

    /// Asks for a run over a device's first `events` events.
    public func request(device: Int64, events: Int) {
        if inFlight[device] == nil, waiting[device, default: []].isEmpty {
            start(device: device, events: events)
            return
        }
        switch configuration.pending {
        case .coalesce: waiting[device] = [max(events, waiting[device]?.last ?? 0)]
        case .queue: waiting[device, default: []].append(events)
        }
        if inFlight[device] == nil { startNext(device: device) }
    }

    /// Reaps finished children, enforces the timeout and starts waiting runs. Never blocks.
    public func poll() {
        for device in Array(inFlight.keys) {
            guard let run = inFlight[device] else { continue }
            if let termination = run.child.wait(blocking: false) {
                complete(run, termination: termination)
            } else if WallClock.now() - run.startedAt > configuration.timeout {
                run.child.signal(SIGKILL)
                let termination = run.child.wait(blocking: true) ?? .signalled(SIGKILL)
                fail(run, reason: "timed out after \(Self.seconds(configuration.timeout)) (\(termination.description))")
            }
        }
    }

    /// Waits until every run in flight or waiting has finished.
    public func waitForAll() {
        while !isIdle {
            poll()
            if !isIdle { usleep(2000) }
        }
    }

    /// Stops every run in flight: SIGTERM, up to `grace` seconds, then SIGKILL. The runs are
    /// marked failed, to be run again at the next start.
    public func stopAll(grace: Double) {
        waiting.removeAll()
        let deadline = WallClock.now() + grace
        for run in inFlight.values { run.child.signal(SIGTERM) }
        while !inFlight.isEmpty {
            poll()
            if inFlight.isEmpty { break }
            if WallClock.now() > deadline {
                for run in inFlight.values {
                    run.child.signal(SIGKILL)
                    run.child.wait(blocking: true)
                    fail(run, reason: "stopped: the agent was shutting down")
                }
                break
            }
            usleep(5000)
        }
    }

    // MARK: Running

    private func startNext(device: Int64) {
        guard inFlight[device] == nil, var queue = waiting[device], !queue.isEmpty else { return }
        let events = queue.removeFirst()
        waiting[device] = queue.isEmpty ? nil : queue
        start(device: device, events: events)
    }

    private func start(device: Int64, events: Int) {
        let command = configuration.command.joined(separator: " ")
        let runID: Int64
        let rows: FeatureRows
        do {
            rows = try store.features(device: device, limit: events)
            runID = try store.startRun(
                device: device, events: rows.count, firstEventID: rows.eventIDs.first,
                lastEventID: rows.eventIDs.last, command: command, startedAt: clock.nowText())
        } catch {
            log.error("device \(device): cannot start a clustering run: \(error)")
            return
        }
        let base = "\(configuration.workDirectory)/run-\(runID)"
        let files = RunFiles(input: base + ".npy", output: base + ".json", errors: base + ".stderr")
        do {
            try DataDirectory.makeDirectories(configuration.workDirectory, mode: 0o750)
            try FileWriter.write(
                NpyFile.encode(FeatureMatrix(rows: rows.count, columns: SensorEvent.featureCount, values: rows.values)),
                to: files.input)
            let child = try ChildProcess(
                arguments: configuration.command, stdin: files.input, stdout: files.output, stderr: files.errors)
            inFlight[device] = InFlight(
                runID: runID, device: device, eventIDs: rows.eventIDs, child: child, startedAt: WallClock.now(),
                files: files)
            log.info("device \(device): clustering run \(runID) started over \(rows.count) events")
        } catch {
            files.remove()
            recordFailure(runID: runID, device: device, reason: "\(error)")
        }
    }

    private func complete(_ run: InFlight, termination: ChildProcess.Termination) {
        guard termination == .exited(0) else {
            let tail = Self.lastLines(of: run.files.errors)
            fail(run, reason: termination.description + (tail.isEmpty ? "" : ": " + tail))
            return
        }
        let outcome: ClusterOutcome
        do {
            outcome = try ClusterResultReader.read(path: run.files.output, events: run.eventIDs.count)
        } catch {
            fail(run, reason: "\(error)")
            return
        }
        do {
            try store.finishRun(id: run.runID, eventIDs: run.eventIDs, outcome: outcome, finishedAt: clock.nowText())
        } catch {
            fail(run, reason: "cannot store the result: \(error)")
            return
        }
        inFlight[run.device] = nil
        run.files.remove()
        let clusters = outcome.centers.count
        let noise = outcome.labels.lazy.filter { $0 < 0 }.count
        log.info(
            "device \(run.device): clustering run \(run.runID) finished: \(run.eventIDs.count) events, "
                + "\(clusters) clusters, \(noise) noise, bandwidth \(outcome.bandwidth)")
        finished(run.runID)
        startNext(device: run.device)
    }

    private func fail(_ run: InFlight, reason: String) {
        inFlight[run.device] = nil
        run.files.remove()
        recordFailure(runID: run.runID, device: run.device, reason: reason)
        startNext(device: run.device)
    }

    private func recordFailure(runID: Int64, device: Int64, reason: String) {
        log.error("device \(device): clustering run \(runID) failed: \(reason)")
        do {
            try store.failRun(id: runID, error: reason, finishedAt: clock.nowText())
        } catch {
            log.error("device \(device): cannot mark run \(runID) failed: \(error)")
        }
        finished(runID)
    }

    private func finished(_ runID: Int64) {
        guard let run = try? store.runs(device: nil).first(where: { $0.id == runID }) else { return }
        finishedRuns.append(run)
        onRunFinished?(run)
    }

    /// The last lines of a child's standard error, at most 5 lines and 1000 bytes.
    static func lastLines(of path: String) -> String {
        guard let bytes = try? FileReader.readAll(path: path, limit: 1 << 20) else { return "" }
        let text = String(decoding: bytes.suffix(1000), as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true).suffix(5)
        return lines.joined(separator: " | ")
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }
}

// The scheduler drives children and a store connection from one thread.
@available(*, unavailable)
extension ClusterScheduler: Sendable {}
