import Glibc
import EventStore

/// `energy-agent export`: the clean records, labels included, in id order.
public enum ExportCommand {
    public static let spec = CommandSpec(
        name: "export", usage: "export [OPTIONS]",
        summary: "Write the stored events, labels included, as NDJSON, CSV or JSON.",
        details: """
            Streams the clean records in id order. Lists (peaks, fft_re, fft_im) are JSON arrays in NDJSON
            and JSON, `;`-joined numbers in CSV. `label` is empty (CSV) or null until the event's device has
            been clustered; -1 is noise.
            """,
        options: DataDirectory.options + [
            OptionSpec("device", value: "ID", help: "Only this device's events."),
            OptionSpec("format", value: "FORMAT", help: "ndjson (default), csv or json."),
            OptionSpec("output", value: "FILE", help: "Write to FILE, replaced whole at the end (default: standard output)."),
        ])

    /// Runs the command.
    public static func main(_ arguments: [String]) throws -> ExitCode {
        guard let parsed = try spec.parseOrShowHelp(arguments) else { return .success }
        let format = try parsed.value("format").map { text in
            guard let format = ExportFormat(rawValue: text) else {
                throw spec.usageError("--format must be ndjson, csv or json, got \"\(text)\"")
            }
            return format
        } ?? .ndjson
        let device = try parsed.deviceID(spec: spec)
        let data = DataDirectory(arguments: parsed)
        let store = try openExistingStore(data)
        defer { store.close() }
        let output = try OutputStream(path: parsed.value("output"))
        try export(store, device: device, format: format, to: output)
        try output.finish()
        return .success
    }

    /// Opens the database of a command that only reads, failing clearly when there is none.
    static func openExistingStore(_ data: DataDirectory) throws -> EventStore {
        try requireDatabase(data)
        return try ReplayCommand.openStore(data)
    }

    /// Fails clearly when there is no database yet.
    static func requireDatabase(_ data: DataDirectory) throws {
        guard access(data.databasePath) else {
            throw CommandError(
                "no database at \(data.databasePath) (replay a capture or run the agent first, or pass --db)",
                code: .noInput)
        }
    }

    static func export(_ store: EventStore, device: Int64?, format: ExportFormat, to output: OutputStream) throws {
        var first = true
        switch format {
        case .csv: output.write(ExportFormat.csvHeader)
        case .json: output.write("[")
        case .ndjson: break
        }
        do {
            try store.forEachEvent(device: device) { stored in
                switch format {
                case .ndjson:
                    output.write(ExportFormat.jsonObject(stored) + "\n")
                case .csv:
                    output.write(ExportFormat.csvRow(stored))
                case .json:
                    output.write((first ? "\n" : ",\n") + ExportFormat.jsonObject(stored))
                }
                first = false
            }
        } catch let error as DatabaseError {
            throw CommandError("export failed: \(error)", code: .ioError)
        }
        if format == .json { output.write(first ? "]\n" : "\n]\n") }
    }

    private static func access(_ path: String) -> Bool {
        Glibc.access(path, F_OK) == 0
    }
}
