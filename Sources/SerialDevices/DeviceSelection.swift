#if canImport(Glibc)
import Glibc
#endif

/// A `--match VID:PID[:SERIAL]` option: a USB vendor and product, optionally one serial number.
public struct USBMatch: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The vendor ID, four lowercase hex digits.
    public var vendorID: String
    /// The product ID, four lowercase hex digits.
    public var productID: String
    /// The adapter's serial number, if the match is narrowed to one adapter.
    public var serial: String?

    /// Creates a match from its parts; hex digits are lowercased.
    public init(vendorID: String, productID: String, serial: String? = nil) {
        self.vendorID = vendorID.lowercased()
        self.productID = productID.lowercased()
        self.serial = serial
    }

    /// Parses `VID:PID` or `VID:PID:SERIAL`, such as `0403:6001:A50285BI`.
    /// - Throws: `DeviceSelectionError` naming the option and the text it got.
    public init(parsing text: String) throws(DeviceSelectionError) {
        let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, Self.isHexID(parts[0]), Self.isHexID(parts[1]) else {
            throw DeviceSelectionError(
                option: "--match",
                message: "expected VID:PID[:SERIAL] with 4 hex digits each, got \"\(text)\"")
        }
        if parts.count == 3, parts[2].isEmpty {
            throw DeviceSelectionError(
                option: "--match", message: "the serial after VID:PID is empty in \"\(text)\"")
        }
        self.init(
            vendorID: String(parts[0]), productID: String(parts[1]),
            serial: parts.count == 3 ? String(parts[2]) : nil)
    }

    /// `VID:PID` or `VID:PID:SERIAL`.
    public var description: String {
        [vendorID, productID, serial].compactMap { $0 }.joined(separator: ":")
    }

    /// Whether a device with these IDs matches; IDs and serial compare case-insensitively.
    public func matches(vendorID: String, productID: String, serial: String?) -> Bool {
        guard vendorID.lowercased() == self.vendorID, productID.lowercased() == self.productID else {
            return false
        }
        guard let wanted = self.serial else { return true }
        return serial?.lowercased() == wanted.lowercased()
    }

    private static func isHexID(_ text: Substring) -> Bool {
        text.utf8.count == 4
            && text.utf8.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
            }
    }
}

/// A device-selection option given a value it cannot use.
public struct DeviceSelectionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The option, such as `--match`.
    public var option: String
    /// What was wrong with its value.
    public var message: String

    /// Creates an error for an option.
    public init(option: String, message: String) {
        self.option = option
        self.message = message
    }

    /// `--match: expected VID:PID[:SERIAL] with 4 hex digits each, got "zz"`.
    public var description: String { "\(option): \(message)" }
}

/// Which ttys the agent reads, from the command line.
public struct DeviceSelectionOptions: Equatable, Sendable {
    /// Paths given with `--device`: ttys, `/dev/serial/by-id/…` links, pty slaves.
    public var devices: [String]
    /// Adapters given with `--match`.
    public var matches: [USBMatch]
    /// Whether USB serial adapters that nothing selects are probed for sensor events.
    public var probesUnselectedAdapters: Bool

    /// Creates options.
    /// - Parameters:
    ///   - devices: `--device` paths.
    ///   - matches: `--match` values.
    ///   - probesUnselectedAdapters: whether to probe other USB serial adapters; by default only
    ///     when neither `--device` nor `--match` is given, so that naming the sensor keeps the
    ///     agent off a stray GPS or modem.
    public init(devices: [String] = [], matches: [USBMatch] = [], probesUnselectedAdapters: Bool? = nil) {
        self.devices = devices
        self.matches = matches
        self.probesUnselectedAdapters = probesUnselectedAdapters ?? (devices.isEmpty && matches.isEmpty)
    }
}

/// What to do with a tty, and why.
public struct DeviceDecision: Equatable, Sendable, CustomStringConvertible {
    /// The three outcomes.
    public enum Verdict: String, Equatable, Sendable {
        /// Read it as a sensor now.
        case adopt
        /// Open it and adopt it only if a line parses as a sensor event within the probe timeout.
        case probe
        /// Leave it alone.
        case ignore
    }

    /// The outcome.
    public var verdict: Verdict
    /// Why, for a person: `tagged ENERGY_SENSOR=1 by the udev rule`.
    public var reason: String

    /// Creates a decision.
    public init(_ verdict: Verdict, _ reason: String) {
        self.verdict = verdict
        self.reason = reason
    }

    /// `adopt: tagged ENERGY_SENSOR=1 by the udev rule`.
    public var description: String { "\(verdict.rawValue): \(reason)" }
}

/// Decides, for each tty udev reports, whether the agent adopts it, probes it or leaves it.
///
/// Pure apart from resolving symlinks, which goes through a function the caller may replace.
public struct DeviceSelector: Sendable {
    /// The options decided on.
    public let options: DeviceSelectionOptions
    private let resolvePath: @Sendable (String) -> String?

    /// Creates a selector.
    /// - Parameters:
    ///   - options: the command line's choices.
    ///   - resolvePath: turns a path into its canonical form, nil if it does not exist;
    ///     `realpath` by default. Called at each decision, since a by-id link appears only
    ///     when its adapter is plugged in.
    public init(
        options: DeviceSelectionOptions,
        resolvePath: @escaping @Sendable (String) -> String? = DeviceSelector.realPath
    ) {
        self.options = options
        self.resolvePath = resolvePath
    }

    /// Decides about one device, first rule that applies: a `--device` path, the
    /// `ENERGY_SENSOR=1` tag, a `--match`, then probing of `ttyUSB*` and `ttyACM*`.
    public func decide(_ device: TTYDevice) -> DeviceDecision {
        if let path = explicitPath(naming: device) {
            return DeviceDecision(.adopt, "named by --device \(path)")
        }
        if device.isEnergySensor {
            return DeviceDecision(.adopt, "tagged ENERGY_SENSOR=1 by the udev rule")
        }
        if let match = firstMatch(for: device) {
            return DeviceDecision(.adopt, "matches --match \(match)")
        }
        guard device.devnode != nil else {
            return DeviceDecision(.ignore, "has no device node")
        }
        guard Self.isUSBSerialAdapterName(device.sysname) else {
            return DeviceDecision(.ignore, "not a USB serial adapter")
        }
        if options.probesUnselectedAdapters {
            return DeviceDecision(.probe, "USB serial adapter: adopted if it sends a sensor event")
        }
        return DeviceDecision(.ignore, "USB serial adapter not selected by --device or --match")
    }

    /// Whether a kernel name is one of the USB serial driver families (`ttyUSB*`, `ttyACM*`).
    public static func isUSBSerialAdapterName(_ sysname: String) -> Bool {
        for prefix in ["ttyUSB", "ttyACM"] where sysname.hasPrefix(prefix) {
            let rest = sysname.utf8.dropFirst(prefix.utf8.count)
            return !rest.isEmpty && rest.allSatisfy { (0x30...0x39).contains($0) }
        }
        return false
    }

    /// The canonical path, with every symlink resolved and `.`/`..` removed, or nil if it does
    /// not exist.
    ///
    /// Does what `realpath` does with `lstat` and `readlink`: umockdev 0.17's preload library,
    /// under which the agent runs in tests, corrupts memory in its `realpath` wrapper.
    @Sendable public static func realPath(_ path: String) -> String? {
        var resolved: [Substring] = []
        // Components still to walk, the next one last.
        var pending: [Substring] = path.split(separator: "/").reversed()
        if !path.hasPrefix("/") {
            var cwd = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            guard getcwd(&cwd, cwd.count) != nil else { return nil }
            pending += cString(cwd).split(separator: "/").reversed()
        }
        var linksFollowed = 0
        var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        while let component = pending.popLast() {
            if component == "." { continue }
            if component == ".." {
                _ = resolved.popLast()
                continue
            }
            let candidate = "/" + (resolved + [component]).joined(separator: "/")
            var info = stat()
            guard lstat(candidate, &info) == 0 else { return nil }
            guard info.st_mode & S_IFMT == S_IFLNK else {
                resolved.append(component)
                continue
            }
            linksFollowed += 1
            guard linksFollowed <= 40 else { return nil }
            let length = readlink(candidate, &target, target.count - 1)
            guard length > 0 else { return nil }
            let link = cString(Array(target[..<length]) + [0])
            if link.hasPrefix("/") { resolved.removeAll() }
            pending += link.split(separator: "/").reversed()
        }
        return "/" + resolved.joined(separator: "/")
    }

    private static func cString(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func explicitPath(naming device: TTYDevice) -> String? {
        guard !options.devices.isEmpty else { return nil }
        var names = Set(device.links)
        if let node = device.devnode {
            names.insert(node)
            if let resolved = resolvePath(node) { names.insert(resolved) }
        }
        for path in options.devices {
            if names.contains(path) { return path }
            if let resolved = resolvePath(path), names.contains(resolved) { return path }
        }
        return nil
    }

    private func firstMatch(for device: TTYDevice) -> USBMatch? {
        guard !options.matches.isEmpty else { return nil }
        // The USB parent's attributes; after a remove only the event's properties are left.
        let vendor = device.usb?.vendorID ?? device.vendorIDProperty
        let product = device.usb?.productID ?? device.modelIDProperty
        let serial = device.usb?.serial ?? device.serialShort
        guard let vendor, let product else { return nil }
        return options.matches.first { $0.matches(vendorID: vendor, productID: product, serial: serial) }
    }
}
