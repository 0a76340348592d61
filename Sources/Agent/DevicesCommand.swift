import SerialDevices

/// `energy-agent devices`: the ttys udev sees, and what `run` would do with each.
public enum DevicesCommand {
    public static let spec = CommandSpec(
        name: "devices", usage: "devices [OPTIONS]",
        summary: "List the tty devices udev sees and whether `run` would adopt, probe or ignore each.",
        details: """
            Takes the same --device and --match options as `run`, so that a choice can be checked before
            it is used. Without --all, only USB serial adapters, devices tagged ENERGY_SENSOR=1 and
            devices that would be read are listed. --device paths udev does not know (pseudo-terminals)
            are listed at the end.
            """,
        options: RunCommand.selectionOptions + [
            OptionSpec("all", help: "List every tty udev knows, the built-in consoles included.")
        ])

    /// One row of the table.
    struct Row: Equatable {
        var node: String
        var byID: String
        var usbID: String
        var serial: String
        var driver: String
        var decision: String
    }

    /// Runs the command.
    public static func main(_ arguments: [String]) throws -> ExitCode {
        let parsed = try spec.parse(arguments)
        if parsed.flag("help") {
            Console.output(spec.helpText)
            return .success
        }
        let selection = try RunCommand.selectionOptions(parsed, spec: spec)
        let ttys: [TTYDevice]
        do {
            ttys = try Udev().ttyDevices()
        } catch {
            throw CommandError("energy-agent devices: cannot list devices through udev: \(error)", code: .unavailable)
        }
        let rows = Self.rows(ttys, selection: selection, all: parsed.flag("all"))
        Console.output(table(rows))
        if !Udev.isDaemonRunning() {
            Console.output("\n(no udev daemon runs: links and rule properties may be missing; `run` rescans periodically)\n")
        }
        return .success
    }

    /// The rows for a list of ttys, then for the `--device` paths none of them covers.
    static func rows(
        _ ttys: [TTYDevice], selection: DeviceSelectionOptions, all: Bool,
        resolvePath: @escaping @Sendable (String) -> String? = DeviceSelector.realPath
    ) -> [Row] {
        let selector = DeviceSelector(options: selection, resolvePath: resolvePath)
        var rows: [Row] = []
        var covered = Set<String>()
        for tty in ttys {
            let decision = selector.decide(tty)
            let usbID = tty.usb.map { "\($0.vendorID):\($0.productID)" }
                ?? tty.vendorIDProperty.flatMap { vendor in tty.modelIDProperty.map { "\(vendor):\($0)" } }
            guard all || decision.verdict != .ignore || usbID != nil || tty.isEnergySensor else { continue }
            if let node = tty.devnode { covered.insert(resolvePath(node) ?? node) }
            rows.append(
                Row(
                    node: tty.devnode ?? "-", byID: tty.byIDLinks.first ?? "-", usbID: usbID ?? "-",
                    serial: tty.usb?.serial ?? tty.serialShort ?? "-", driver: tty.driver ?? "-",
                    decision: decision.description))
        }
        for path in selection.devices {
            let resolved = resolvePath(path)
            if let resolved, covered.contains(resolved) { continue }
            let decision =
                resolved == nil
                ? "adopt when it appears: named by --device \(path) (does not exist now)"
                : "adopt: named by --device \(path) (not known to udev\(resolved == path ? "" : ", \(resolved!)"))"
            rows.append(Row(node: path, byID: "-", usbID: "-", serial: "-", driver: "-", decision: decision))
        }
        return rows
    }

    /// The rows as an aligned text table with a header.
    static func table(_ rows: [Row]) -> String {
        let header = Row(node: "NODE", byID: "BY-ID", usbID: "VID:PID", serial: "SERIAL", driver: "DRIVER", decision: "DECISION")
        if rows.isEmpty { return "no tty devices found\n" }
        let all = [header] + rows
        let columns: [(Row) -> String] = [\.node, \.byID, \.usbID, \.serial, \.driver]
        let widths = columns.map { column in all.map { column($0).count }.max() ?? 0 }
        var text = ""
        for row in all {
            for (column, width) in zip(columns, widths) {
                let value = column(row)
                text += value + String(repeating: " ", count: width - value.count + 2)
            }
            text += row.decision + "\n"
        }
        return text
    }
}
