import EventStore
import Reports

/// `energy-agent cluster`: one clustering run now over all of a device's events.
public enum ClusterCommand {
    public static let spec = CommandSpec(
        name: "cluster", usage: "cluster [OPTIONS]",
        summary: "Cluster a device's events now (every device's by default) and store the labels.",
        details: """
            Runs the clustering program over all of each device's stored events, waits for it, stores
            every event's label and the run, and rewrites the device's reports.
            """,
        options: DataDirectory.options
            + [ReportCommand.reportsOption, OptionSpec("device", value: "ID", help: "Only this device.")]
            + ClusterOptions.options.filter { $0.name != "cluster-every" })

    /// Runs the command.
    public static func main(_ arguments: [String]) throws -> ExitCode {
        guard let parsed = try spec.parseOrShowHelp(arguments) else { return .success }
        let device = try parsed.deviceID(spec: spec)
        var cluster = try ClusterOptions(arguments: parsed, spec: spec)
        cluster.every = 0
        let data = DataDirectory(arguments: parsed)
        try ExportCommand.requireDatabase(data)
        // Labels are written: not while an agent or a replay writes the same database. The lock
        // comes before the store, because opening it may already write (migrations).
        let lock = try DatabaseLock(databasePath: data.databasePath)
        defer { lock.release() }
        let store = try ExportCommand.openExistingStore(data)
        defer { store.close() }
        let log = Logger(prefix: "energy-agent cluster: ")
        let devices = try device.map { [$0] } ?? store.devices()
        if devices.isEmpty {
            throw CommandError("no events stored in \(data.databasePath)", code: .dataError)
        }
        let scheduler = cluster.scheduler(store: store, data: data, pending: .queue, log: log)
        let reports = ReportWriter(directory: data.reportsPath)
        var reportsWritten = true
        scheduler.onRunFinished = { run in
            if !ReportCommand.publish(after: run, store: store, writer: reports, log: log) { reportsWritten = false }
        }
        for device in devices {
            let count = try store.eventCount(device: device)
            guard count > 0 else { throw CommandError("device \(device) has no events", code: .dataError) }
            scheduler.request(device: device, events: count)
        }
        scheduler.waitForAll()
        let failed = scheduler.finishedRuns.filter { $0.status != .succeeded }
        return failed.isEmpty && reportsWritten ? .success : .failure
    }
}
