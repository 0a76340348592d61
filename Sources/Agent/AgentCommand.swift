import Glibc

/// The `energy-agent` command line: dispatches to the commands.
public enum AgentCommand {
    /// The version printed by `--version`.
    public static let version = "0.1.0"

    static let commands: [(spec: CommandSpec, main: @Sendable ([String]) throws -> ExitCode)] = [
        (RunCommand.spec, RunCommand.main),
        (ReplayCommand.spec, ReplayCommand.main),
        (ExportCommand.spec, ExportCommand.main),
        (ClusterCommand.spec, ClusterCommand.main),
        (ReportCommand.spec, ReportCommand.main),
        (DevicesCommand.spec, DevicesCommand.main),
        (SimulateCommand.spec, SimulateCommand.main),
    ]

    /// The top-level help.
    public static var helpText: String {
        var text = """
            Usage: energy-agent COMMAND [OPTIONS]

            Reads a home energy sensor's serial output, stores every event in SQLite, clusters each
            sensor's events with MeanShift and writes summary reports.

            Commands:

            """
        let width = (commands.map(\.spec.name.count).max() ?? 0) + 2
        for command in commands {
            text += "  " + command.spec.name + String(repeating: " ", count: width - command.spec.name.count)
            text += command.spec.summary + "\n"
        }
        text += "\nRun `energy-agent COMMAND --help` for a command's options.\n"
        return text
    }

    /// Runs the command line and returns the exit code; messages go to standard error.
    public static func main(_ arguments: [String]) -> ExitCode {
        prepareProcess()
        guard let name = arguments.first else {
            Console.error(helpText)
            return .usage
        }
        switch name {
        case "--help", "-h", "help":
            Console.output(helpText)
            return .success
        case "--version":
            Console.output("energy-agent \(version)\n")
            return .success
        default:
            break
        }
        guard let command = commands.first(where: { $0.spec.name == name }) else {
            Console.error("energy-agent: unknown command \"\(name)\" (see energy-agent --help)\n")
            return .usage
        }
        do {
            return try command.main(Array(arguments.dropFirst()))
        } catch let error as CommandError {
            Console.error(error.message.hasPrefix("energy-agent") ? "\(error.message)\n" : "energy-agent \(name): \(error.message)\n")
            return error.code
        } catch {
            Console.error("energy-agent \(name): \(error)\n")
            return .software
        }
    }

    /// Settings of the process every command shares.
    static func prepareProcess() {
        // The database and the files only the agent reads are 0640 (SQLite creates them with
        // 0666 less the umask); report files set their own 0644.
        umask(0o027)
        // A full file size limit or a closed pipe must come back as EFBIG or EPIPE from write,
        // to be reported, not kill the process.
        signal(SIGXFSZ, SIG_IGN)
        signal(SIGPIPE, SIG_IGN)
    }
}
