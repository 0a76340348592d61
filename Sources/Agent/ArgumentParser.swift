/// One option a command accepts.
public struct OptionSpec: Sendable {
    /// The long name without dashes, such as `data-dir`.
    public var name: String
    /// The placeholder for its value (`DIR`), or `nil` for a flag.
    public var valueName: String?
    /// One line of help.
    public var help: String
    /// Whether it may be given more than once.
    public var repeatable: Bool

    /// Creates an option.
    public init(_ name: String, value: String? = nil, help: String, repeatable: Bool = false) {
        self.name = name
        self.valueName = value
        self.help = help
        self.repeatable = repeatable
    }
}

/// A command's name, usage, help text and options.
public struct CommandSpec: Sendable {
    public var name: String
    public var usage: String
    public var summary: String
    public var details: String
    public var options: [OptionSpec]
    /// The range of positional arguments accepted.
    public var positionals: ClosedRange<Int>

    /// Creates a command description.
    public init(
        name: String, usage: String, summary: String, details: String = "", options: [OptionSpec],
        positionals: ClosedRange<Int> = 0...0
    ) {
        self.name = name
        self.usage = usage
        self.summary = summary
        self.details = details
        self.options = options
        self.positionals = positionals
    }

    /// The `--help` text.
    public var helpText: String {
        var text = "Usage: energy-agent \(usage)\n\n\(summary)\n"
        if !details.isEmpty { text += "\n\(details)\n" }
        text += "\nOptions:\n"
        let all = options + [OptionSpec("help", help: "Show this help and exit.")]
        let labels = all.map { "--\($0.name)" + ($0.valueName.map { " \($0)" } ?? "") }
        let width = (labels.map(\.count).max() ?? 0) + 2
        for (label, option) in zip(labels, all) {
            text += "  " + label + String(repeating: " ", count: width - label.count) + option.help
            if option.repeatable { text += " (repeatable)" }
            text += "\n"
        }
        return text
    }

    /// Parses a command's arguments (without the command name).
    /// - Throws: ``CommandError`` with ``ExitCode/usage`` naming the offending argument.
    public func parse(_ arguments: [String]) throws -> ParsedArguments {
        var parsed = ParsedArguments()
        var index = 0
        var onlyPositionals = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if onlyPositionals || !argument.hasPrefix("--") || argument == "-" {
                if !onlyPositionals, argument.hasPrefix("-"), argument != "-" {
                    if argument == "-h" {
                        parsed.flags.insert("help")
                        continue
                    }
                    throw usageError("unknown option \(argument)")
                }
                parsed.positionals.append(argument)
                continue
            }
            if argument == "--" {
                onlyPositionals = true
                continue
            }
            var name = String(argument.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            if name == "help" {
                parsed.flags.insert("help")
                continue
            }
            guard let option = options.first(where: { $0.name == name }) else {
                throw usageError("unknown option --\(name)")
            }
            if option.valueName == nil {
                if inlineValue != nil { throw usageError("--\(name) takes no value") }
                parsed.flags.insert(name)
                continue
            }
            let value: String
            if let inlineValue {
                value = inlineValue
            } else {
                guard index < arguments.count else {
                    throw usageError("--\(name) needs a value (\(option.valueName!))")
                }
                value = arguments[index]
                index += 1
            }
            if !option.repeatable, parsed.values[name] != nil {
                throw usageError("--\(name) given more than once")
            }
            parsed.values[name, default: []].append(value)
        }
        if !parsed.flags.contains("help") {
            if parsed.positionals.count < positionals.lowerBound {
                throw usageError("missing argument; usage: energy-agent \(usage)")
            }
            if parsed.positionals.count > positionals.upperBound {
                throw usageError("unexpected argument \(parsed.positionals[positionals.upperBound])")
            }
        }
        return parsed
    }

    /// Parses the arguments, or prints the help and returns `nil` when `--help` was given.
    public func parseOrShowHelp(_ arguments: [String]) throws -> ParsedArguments? {
        let parsed = try parse(arguments)
        if parsed.flag("help") {
            Console.output(helpText)
            return nil
        }
        return parsed
    }

    /// A usage error for this command.
    public func usageError(_ message: String) -> CommandError {
        CommandError("energy-agent \(name): \(message) (see energy-agent \(name) --help)", code: .usage)
    }
}

/// The arguments of one command, parsed.
public struct ParsedArguments: Sendable {
    public var values: [String: [String]] = [:]
    public var flags: Set<String> = []
    public var positionals: [String] = []

    /// The value of a single-valued option.
    public func value(_ name: String) -> String? { values[name]?.last }

    /// Every value of a repeatable option.
    public func all(_ name: String) -> [String] { values[name] ?? [] }

    /// Whether a flag was given.
    public func flag(_ name: String) -> Bool { flags.contains(name) }

    /// An integer option within a range, or its default.
    public func integer(
        _ name: String, default defaultValue: Int, in range: ClosedRange<Int>, spec: CommandSpec
    ) throws -> Int {
        guard let text = value(name) else { return defaultValue }
        guard let number = Int(text), range.contains(number) else {
            throw spec.usageError("--\(name) must be an integer from \(range.lowerBound) to \(range.upperBound), got \"\(text)\"")
        }
        return number
    }

    /// The `--device ID` option: a device id, or `nil` when not given.
    public func deviceID(spec: CommandSpec) throws -> Int64? {
        try value("device").map { text in
            guard let id = Int64(text) else { throw spec.usageError("--device must be an integer, got \"\(text)\"") }
            return id
        }
    }

    /// A non-negative number of seconds, or its default.
    public func seconds(_ name: String, default defaultValue: Double, spec: CommandSpec) throws -> Double {
        guard let text = value(name) else { return defaultValue }
        guard let number = Double(text), number.isFinite, number >= 0 else {
            throw spec.usageError("--\(name) must be a number of seconds, got \"\(text)\"")
        }
        return number
    }
}
