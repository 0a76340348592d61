import EventStore
import Glibc
import Reports

/// The clustering options shared by `run`, `replay` and `cluster`.
public struct ClusterOptions: Sendable {
    /// A run starts each time a device's event count reaches a multiple of this; 0 turns it off.
    public var every: Int
    /// The clustering program and its arguments.
    public var command: [String]
    /// Seconds a run may take before it is killed.
    public var timeout: Double

    /// The options as `--help` shows them.
    public static let options = [
        OptionSpec("cluster-every", value: "N", help: "Cluster a device each time its event count reaches a multiple of N (default 1000; 0: never)."),
        OptionSpec("cluster-command", value: "CMD", help: "Clustering program, run without a shell (default: energy-cluster beside energy-agent)."),
        OptionSpec("cluster-timeout", value: "SECONDS", help: "Kill a clustering run after this long (default 600)."),
    ]

    /// Reads the options.
    public init(arguments: ParsedArguments, spec: CommandSpec) throws {
        every = try arguments.integer("cluster-every", default: 1000, in: 0...Int(Int32.max), spec: spec)
        timeout = try arguments.seconds("cluster-timeout", default: 600, spec: spec)
        if let text = arguments.value("cluster-command") {
            command = try Self.split(text)
            if command.isEmpty { throw spec.usageError("--cluster-command is empty") }
        } else {
            command = [Self.defaultClusterProgram]
        }
    }

    /// `energy-cluster` in the directory of the running `energy-agent`.
    public static var defaultClusterProgram: String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return "energy-cluster" }
        let path = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return FileSystem.parent(of: path) + "/energy-cluster"
    }

    /// Splits a command line into arguments the way a shell would for plain words and quotes,
    /// without running a shell: `'...'` and `"..."` group, `\` escapes the next character.
    /// - Throws: ``CommandError`` for an unterminated quote.
    public static func split(_ text: String) throws -> [String] {
        var arguments: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for character in text {
            if escaped {
                current.append(character)
                escaped = false
                continue
            }
            if let open = quote {
                if character == open {
                    quote = nil
                } else if character == "\\", open == "\"" {
                    escaped = true
                } else {
                    current.append(character)
                }
                continue
            }
            switch character {
            case "'", "\"":
                quote = character
                inWord = true
            case "\\":
                escaped = true
                inWord = true
            case " ", "\t", "\n":
                if inWord { arguments.append(current) }
                current = ""
                inWord = false
            default:
                current.append(character)
                inWord = true
            }
        }
        if quote != nil || escaped {
            throw CommandError("--cluster-command: unterminated quote or escape in \"\(text)\"", code: .usage)
        }
        if inWord { arguments.append(current) }
        return arguments
    }

    /// A scheduler for these options over a store.
    func scheduler(store: EventStore, data: DataDirectory, pending: ClusterScheduler.Pending, log: Logger)
        -> ClusterScheduler
    {
        ClusterScheduler(
            store: store,
            configuration: .init(command: command, timeout: timeout, workDirectory: data.path + "/runs", pending: pending),
            log: log)
    }
}
