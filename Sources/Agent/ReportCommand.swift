import EventStore
import Reports

/// `energy-agent report`: rewrites the report directory from the database, with no agent running.
public enum ReportCommand {
    /// `--reports DIR`, shared with the commands that write reports after their clustering runs.
    public static let reportsOption = OptionSpec(
        "reports", value: "DIR", help: "Report directory (default: DATA_DIR/reports).")

    public static let spec = CommandSpec(
        name: "report", usage: "report [OPTIONS]",
        summary: "Rewrite the reports (JSON summaries, plot, index.html) from the database.",
        details: """
            Writes, for each device's latest successful clustering run, events_by_cluster.json,
            average_active_power_by_cluster.json, summary.json and clusters.svg in REPORTS/device-ID/,
            then REPORTS/index.html. Every file is replaced atomically. The agent does the same after each
            clustering run; this command rebuilds them at any time.
            """,
        options: DataDirectory.options + [
            reportsOption,
            OptionSpec("device", value: "ID", help: "Only this device's files (the index still lists every device)."),
        ])

    /// Runs the command.
    public static func main(_ arguments: [String]) throws -> ExitCode {
        guard let parsed = try spec.parseOrShowHelp(arguments) else { return .success }
        let device = try parsed.deviceID(spec: spec)
        let data = DataDirectory(arguments: parsed)
        let store = try ExportCommand.openExistingStore(data)
        defer { store.close() }
        if let device {
            guard try store.eventCount(device: device) > 0 else {
                throw CommandError("device \(device) has no events in \(data.databasePath)", code: .dataError)
            }
            guard try store.latestSucceededRun(device: device) != nil else {
                throw CommandError(ReportError.notClustered(device: device).description, code: .dataError)
            }
        }
        let log = Logger(prefix: "energy-agent report: ")
        let update = ReportWriter(directory: data.reportsPath).update(store: store, only: device, force: true)
        for report in update.written {
            log.info(
                "device \(report.device): wrote \(data.reportsPath)/device-\(report.device)/ (run \(report.run.id), "
                    + "\(report.events) events, \(report.clusterCount) clusters, \(report.noiseEvents) noise)")
        }
        for skipped in update.notClustered where device == nil {
            log.warning(ReportError.notClustered(device: skipped).description)
        }
        for failure in update.failures { log.error("\(failure)") }
        if !update.failures.isEmpty { return .cannotCreate }
        if update.written.isEmpty {
            throw CommandError(
                "no device has been clustered yet; run `energy-agent cluster` first", code: .dataError)
        }
        log.info("wrote \(data.reportsPath)/index.html")
        return .success
    }

    /// Rewrites the reports after a clustering run, logging what could not be written; the
    /// writer tries those again after the next run. Never throws, so ingestion goes on.
    /// - Returns: whether everything was written.
    @discardableResult
    static func publish(after run: ClusterRun, store: EventStore, writer: ReportWriter, log: Logger) -> Bool {
        guard run.status == .succeeded else { return true }
        let update = writer.update(store: store)
        for failure in update.failures {
            log.error(
                "reports: \(failure); they will be written again after the next clustering run "
                    + "(or run `energy-agent report`)")
        }
        for report in update.written where report.device == run.deviceID {
            log.info("device \(report.device): reports rewritten in \(writer.deviceDirectory(report.device))")
        }
        return update.failures.isEmpty
    }
}
