import SerialDevices

/// One tty the agent knows about, open or not: where it came from, what it is, what the agent
/// is doing with it, and what it has sent so far.
///
/// Counters survive reopening (silence, unplug and replug of a `--device` path), so that the
/// status shows a device's whole history in this run.
final class WatchedDevice {
    /// What the agent is doing with the device.
    enum State: String {
        /// Open, read as a sensor.
        case adopted
        /// Open, read until a line parses as a sensor event or the probe timeout passes.
        case probing
        /// Probed without a sensor event: closed and left alone until plugged again.
        case released
        /// Was open and went away (end of file, EIO, hang-up, udev remove): waiting for it.
        case unplugged
        /// Held by another process: reported, not fought over.
        case busy
        /// Named by `--device` but absent or not openable yet: retried periodically.
        case waiting
    }

    /// How the agent came to know the device.
    enum Origin: Equatable {
        /// Listed by udev, keyed by its sysfs path.
        case udev(syspath: String)
        /// A `--device` path that udev does not list (a pseudo-terminal, a path not there yet).
        case path(String)
    }

    let origin: Origin
    /// The path opened and stored as the events' `source`: the `--device` path as given, else
    /// the device node.
    let path: String
    /// The device node, if known.
    var node: String?
    /// The udev description, for a udev device.
    var tty: TTYDevice?
    /// Why the device is adopted or probed, from the device selector.
    var reason: String
    /// Whether the device is probed before it is adopted (an unselected USB serial adapter).
    var probes: Bool

    var state: State
    /// A sentence about the last change of state, for the status file.
    var detail: String
    /// When the state last changed, ISO 8601 UTC.
    var since: String

    var port: SerialPort?
    var framer = LineFramer()
    /// Monotonic time of the last byte read, or of the open.
    var lastDataAt: Double = 0
    /// Monotonic time at which a probe gives up.
    var probeDeadline: Double = 0
    /// The chunks read while probing, with their arrival time, replayed into the store on adoption.
    var probeChunks: [(bytes: [UInt8], receivedAt: String)] = []
    var probeBytes = 0
    /// Frames the probed bytes only to look for one line that parses.
    var probeFramer = LineFramer()
    var probeLines = 0
    /// Whether "in use" or "waiting" was already logged for the current episode.
    var quietRetry = false
    /// Monotonic time of the next attempt to open, for a device waiting or unplugged.
    var nextAttempt: Double = 0

    var bytes = 0
    var lines = 0
    var events = 0
    var duplicates = 0
    var rejected = 0
    var lastEventAt: String?
    var opens = 0
    /// Rejected lines since the last per-minute report, by field.
    var rejectedForReport: [String: Int] = [:]

    init(
        origin: Origin, path: String, node: String?, tty: TTYDevice?, reason: String, probes: Bool, state: State,
        since: String
    ) {
        self.probes = probes
        self.origin = origin
        self.path = path
        self.node = node
        self.tty = tty
        self.reason = reason
        self.state = state
        self.detail = reason
        self.since = since
    }

    /// `VID:PID` of the USB parent, if any.
    var usbID: String? {
        if let usb = tty?.usb { return "\(usb.vendorID):\(usb.productID)" }
        if let vendor = tty?.vendorIDProperty, let model = tty?.modelIDProperty { return "\(vendor):\(model)" }
        return nil
    }

    /// The adapter's serial number, if any.
    var serial: String? { tty?.usb?.serial ?? tty?.serialShort }

    /// `/dev/ttyUSB0 (0403:6001, serial A50285BI)`, for the log.
    var label: String {
        var parts: [String] = []
        if let usbID { parts.append(usbID) }
        if let serial { parts.append("serial \(serial)") }
        if let node, node != path { parts.insert(node, at: 0) }
        return parts.isEmpty ? path : "\(path) (\(parts.joined(separator: ", ")))"
    }

    /// Whether the device is open.
    var isOpen: Bool { port != nil }

    /// The counters that follow what the lines became in the database.
    struct Tally {
        var lines = 0
        var events = 0
        var duplicates = 0
        var rejected = 0
        var lastEventAt: String?
        var rejectedForReport: [String: Int] = [:]
    }

    /// The counters that a rolled-back transaction must put back.
    var tally: Tally {
        get {
            Tally(
                lines: lines, events: events, duplicates: duplicates, rejected: rejected, lastEventAt: lastEventAt,
                rejectedForReport: rejectedForReport)
        }
        set {
            lines = newValue.lines
            events = newValue.events
            duplicates = newValue.duplicates
            rejected = newValue.rejected
            lastEventAt = newValue.lastEventAt
            rejectedForReport = newValue.rejectedForReport
        }
    }

}

// A device record belongs to the event loop's thread, like its port.
@available(*, unavailable)
extension WatchedDevice: Sendable {}
