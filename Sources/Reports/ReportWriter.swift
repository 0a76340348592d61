import EventStore
import Glibc

/// Keeps a report directory in step with the database: each device's files in `device-<ID>/`
/// and `index.html` at the root, every file replaced atomically.
///
/// A device whose files could not be written is written again at the next ``update(store:only:force:)``,
/// whatever device that call is for.
public final class ReportWriter {
    /// What one update did.
    public struct Update: Sendable {
        /// The reports written, with their points dropped.
        public var written: [DeviceReport] = []
        /// Devices with events but no succeeded clustering run.
        public var notClustered: [Int64] = []
        /// What could not be built or written.
        public var failures: [Failure] = []
    }

    /// A report that could not be built or written.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// The device, `nil` for `index.html` or for the list of devices.
        public var device: Int64?
        /// The reason, as a sentence naming the file or query.
        public var reason: String

        public var description: String {
            (device.map { "device \($0): " } ?? "") + reason
        }
    }

    /// The files of a device, in its directory.
    public static let deviceFiles = [
        "events_by_cluster.json", "average_active_power_by_cluster.json", "summary.json", "clusters.svg",
    ]

    /// The report root.
    public let directory: String
    /// The run whose reports were last written for each device, by this writer.
    private var writtenRuns: [Int64: Int64] = [:]
    /// The latest report of each device without its points, for the index.
    private var summaries: [Int64: DeviceReport] = [:]

    /// Creates a writer for a report root; nothing is written until ``update(store:only:force:)``.
    public init(directory: String) {
        self.directory = directory
    }

    /// The directory of a device's files.
    public func deviceDirectory(_ device: Int64) -> String {
        "\(directory)/device-\(device)"
    }

    /// Writes a device's four files.
    /// - Throws: ``AtomicFile/WriteError`` for the first file that could not be written.
    public func write(_ report: DeviceReport) throws {
        let base = deviceDirectory(report.device)
        AtomicFile.removeAbandonedTemporaries(in: base)
        try AtomicFile.write(report.eventsByClusterJSON, to: "\(base)/events_by_cluster.json")
        try AtomicFile.write(report.averageActivePowerJSON, to: "\(base)/average_active_power_by_cluster.json")
        try AtomicFile.write(report.summaryJSON, to: "\(base)/summary.json")
        try AtomicFile.write(ClusterPlot.svg(report), to: "\(base)/clusters.svg")
    }

    /// Brings the directory up to date with the database: writes the files of every device whose
    /// latest succeeded run is newer than what this writer last wrote, whose files are missing or
    /// whose last write failed, then `index.html`.
    /// - Parameters:
    ///   - only: write only this device's files (the index still lists every device).
    ///   - force: write the files even when they seem current.
    /// - Returns: what was written and what failed; nothing is thrown, so that a caller that
    ///   ingests can log and carry on.
    @discardableResult
    public func update(store: EventStore, only: Int64? = nil, force: Bool = false) -> Update {
        var update = Update()
        AtomicFile.removeAbandonedTemporaries(in: directory)
        let devices: [Int64]
        do {
            devices = try store.devices()
        } catch {
            update.failures.append(Failure(device: nil, reason: "cannot list the devices: \(error)"))
            return update
        }
        var entries: [ReportIndex.Entry] = []
        for device in devices {
            var entry = ReportIndex.Entry(device: device, report: nil, note: nil, files: [])
            defer {
                entry.files = existingFiles(device)
                entries.append(entry)
            }
            let run: ClusterRun
            do {
                guard let latest = try store.latestSucceededRun(device: device) else {
                    update.notClustered.append(device)
                    entry.note = ReportError.notClustered(device: device).description
                    continue
                }
                run = latest
            } catch {
                update.failures.append(Failure(device: device, reason: "cannot read the clustering runs: \(error)"))
                entry.note = "The report could not be made: \(error)"
                continue
            }
            let inScope = only == nil || only == device
            let stale = writtenRuns[device] != run.id || existingFiles(device).count < Self.deviceFiles.count
            if let summary = summaries[device], summary.run.id == run.id, !(inScope && (force || stale)) {
                entry.report = summary
                continue
            }
            let report: DeviceReport
            do {
                report = try ReportBuilder.build(store: store, run: run)
            } catch {
                update.failures.append(Failure(device: device, reason: "cannot build the report: \(error)"))
                entry.note = "The report could not be made: \(error)"
                continue
            }
            var summary = report
            summary.points = DeviceReport.Points()
            summaries[device] = summary
            entry.report = summary
            guard inScope, force || stale else { continue }
            do {
                try write(report)
                writtenRuns[device] = run.id
                update.written.append(summary)
            } catch {
                writtenRuns[device] = nil
                update.failures.append(Failure(device: device, reason: "\(error)"))
                entry.note = "The files of run \(run.id) could not be written: \(error)"
            }
        }
        let others = ["status.json"].filter { exists("\(directory)/\($0)") }
        do {
            try AtomicFile.write(ReportIndex.html(entries, otherFiles: others), to: "\(directory)/index.html")
        } catch {
            update.failures.append(Failure(device: nil, reason: "\(error)"))
        }
        return update
    }

    /// The device's report files that exist, relative to the root.
    private func existingFiles(_ device: Int64) -> [String] {
        Self.deviceFiles.map { "device-\(device)/\($0)" }.filter { exists("\(directory)/\($0)") }
    }

    private func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }
}

// The writer keeps per-device state for the one thread that runs the store.
@available(*, unavailable)
extension ReportWriter: Sendable {}
