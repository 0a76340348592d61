import SerialDevices

/// `energy-agent run`: reads the sensor's serial port(s) into the database until stopped.
public enum RunCommand {
    /// The device-selection options shared with `devices`.
    static let selectionOptions = [
        OptionSpec("device", value: "PATH", help: "Read this tty, /dev/serial/by-id link or pseudo-terminal.", repeatable: true),
        OptionSpec("match", value: "VID:PID[:SERIAL]", help: "Read USB serial adapters with these IDs (hex), optionally this serial.", repeatable: true),
    ]

    public static let spec = CommandSpec(
        name: "run", usage: "run [OPTIONS]",
        summary: "Read the energy sensor's serial port into the database until stopped (SIGTERM, SIGINT).",
        details: """
            Finds the sensor through udev: adapters tagged ENERGY_SENSOR=1 by the project's udev rule,
            --device paths and --match adapters are adopted at once; with neither --device nor --match,
            other USB serial adapters (ttyUSB*, ttyACM*) are probed and adopted only if a line parses as
            a sensor event within --probe-timeout. Unplugged ports are waited for and adopted again.
            Lines are committed within 100 ms. DATA_DIR/reports/status.json is rewritten every few
            seconds. Under systemd: READY=1, WATCHDOG=1 and STOPPING=1 on $NOTIFY_SOCKET.
            """,
        options: selectionOptions + [
            OptionSpec("baud", value: "RATE", help: "Line speed (default 115200)."),
            OptionSpec("probe-timeout", value: "SECONDS", help: "How long a probed adapter has to send a sensor event (default 30)."),
            OptionSpec("silence-timeout", value: "SECONDS", help: "Reopen an adopted port after this long without data (default 60)."),
            OptionSpec("status-interval", value: "SECONDS", help: "Seconds between two writes of status.json (default 5)."),
            OptionSpec("rescan-interval", value: "SECONDS", help: "Seconds between udev scans where no udev daemon runs (default 5)."),
            ReportCommand.reportsOption,
            OptionSpec("quiet", help: "Log only warnings and errors."),
        ] + DataDirectory.options + ClusterOptions.options)

    /// Runs the command.
    public static func main(_ arguments: [String]) throws -> ExitCode {
        let parsed = try spec.parse(arguments)
        if parsed.flag("help") {
            Console.output(spec.helpText)
            return .success
        }
        let selection = try selectionOptions(parsed, spec: spec)
        let data = DataDirectory(arguments: parsed)
        let cluster = try ClusterOptions(arguments: parsed, spec: spec)
        var configuration = AgentLoopConfiguration(selection: selection, statusPath: data.reportsPath + "/status.json")
        configuration.baudRate = try parsed.integer("baud", default: 115200, in: 1...4_000_000, spec: spec)
        do {
            try SerialPort.validate(baudRate: configuration.baudRate)
        } catch {
            throw spec.usageError("--baud: \(error)")
        }
        configuration.probeTimeout = try parsed.seconds("probe-timeout", default: 30, spec: spec)
        configuration.silenceTimeout = try positiveSeconds(parsed, "silence-timeout", default: 60)
        configuration.statusInterval = try positiveSeconds(parsed, "status-interval", default: 5)
        configuration.rescanInterval = try positiveSeconds(parsed, "rescan-interval", default: 5)
        let log = Logger(prefix: "energy-agent: ", verbose: !parsed.flag("quiet"))
        let session = try Session(data: data, cluster: cluster, pending: .coalesce, log: log)
        defer { session.store.close() }
        let loop = AgentLoop(configuration: configuration, session: session, log: log)
        try loop.run()
        return .success
    }

    /// `--device` and `--match`, checked.
    static func selectionOptions(_ parsed: ParsedArguments, spec: CommandSpec) throws -> DeviceSelectionOptions {
        var matches: [USBMatch] = []
        for text in parsed.all("match") {
            do {
                matches.append(try USBMatch(parsing: text))
            } catch {
                throw spec.usageError("\(error)")
            }
        }
        if let empty = parsed.all("device").first(where: \.isEmpty) {
            throw spec.usageError("--device needs a path, got \"\(empty)\"")
        }
        return DeviceSelectionOptions(devices: parsed.all("device"), matches: matches)
    }

    private static func positiveSeconds(_ parsed: ParsedArguments, _ name: String, default value: Double) throws -> Double {
        let seconds = try parsed.seconds(name, default: value, spec: spec)
        guard seconds > 0 else { throw spec.usageError("--\(name) must be more than 0 seconds") }
        return seconds
    }
}
