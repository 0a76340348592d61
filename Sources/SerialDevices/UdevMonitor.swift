import CUdev

#if canImport(Glibc)
import Glibc
#endif

/// A tty device added, removed or changed, as a udev monitor reports it.
public struct UdevEvent: Equatable, Sendable {
    /// What happened to the device.
    public enum Action: Equatable, Hashable, Sendable, CustomStringConvertible {
        case add, remove, change
        /// Another action (`bind`, `unbind`, `move`, `online`, `offline`).
        case other(String)

        /// Maps udev's action name.
        public init(_ name: String) {
            switch name {
            case "add": self = .add
            case "remove": self = .remove
            case "change": self = .change
            default: self = .other(name)
            }
        }

        /// udev's name for the action.
        public var description: String {
            switch self {
            case .add: return "add"
            case .remove: return "remove"
            case .change: return "change"
            case .other(let name): return name
            }
        }
    }

    /// What happened.
    public var action: Action
    /// The device as the event describes it (after a remove, without its USB parent).
    public var device: TTYDevice

    /// Creates an event.
    public init(action: Action, device: TTYDevice) {
        self.action = action
        self.device = device
    }
}

/// Hotplug events for subsystem `tty`, from the udev daemon's netlink broadcasts.
///
/// Non-blocking: poll `fileDescriptor` for `POLLIN`, then call `receive()` until it returns nil.
/// Only events udev has processed (source `udev`) arrive, so properties set by rules are there.
public final class UdevMonitor {
    private let udev: Udev
    private let handle: OpaquePointer

    /// The socket to poll for `POLLIN`. The corresponding C function is `udev_monitor_get_fd`.
    public let fileDescriptor: Int32

    /// Creates a monitor for tty devices and starts receiving.
    ///
    /// The corresponding C functions are `udev_monitor_new_from_netlink`,
    /// `udev_monitor_filter_add_match_subsystem_devtype` and `udev_monitor_enable_receiving`.
    /// - Parameter udev: the context; the monitor keeps it alive.
    /// - Throws: `SystemError` from the first call that fails.
    public init(udev: Udev) throws(SystemError) {
        setErrno(0)
        guard let handle = udev_monitor_new_from_netlink(udev.handle, "udev") else {
            throw SystemError(call: "udev_monitor_new_from_netlink", errno: nonzeroErrno())
        }
        do {
            try checkNegativeErrno(
                "udev_monitor_filter_add_match_subsystem_devtype",
                udev_monitor_filter_add_match_subsystem_devtype(handle, "tty", nil))
            try checkNegativeErrno(
                "udev_monitor_enable_receiving", udev_monitor_enable_receiving(handle))
            let fd = udev_monitor_get_fd(handle)
            try checkNegativeErrno("udev_monitor_get_fd", fd)
            self.fileDescriptor = fd
        } catch {
            udev_monitor_unref(handle)
            throw error
        }
        self.udev = udev
        self.handle = handle
    }

    deinit {
        udev_monitor_unref(handle)
    }

    /// Takes the next waiting event, or returns nil when none is waiting.
    ///
    /// The corresponding C function is `udev_monitor_receive_device`.
    /// - Throws: `SystemError` when the socket fails (not for "nothing waiting").
    public func receive() throws(SystemError) -> UdevEvent? {
        while true {
            setErrno(0)
            guard let device = udev_monitor_receive_device(handle) else {
                let code = currentErrno()
                switch code {
                case EINTR: continue
                // libudev also returns NULL without an error for a message it drops
                // (wrong sender, filtered out): nothing to report then either.
                case 0, EAGAIN, EWOULDBLOCK: return nil
                default: throw SystemError(call: "udev_monitor_receive_device", errno: code)
                }
            }
            defer { udev_device_unref(device) }
            let action = udev_device_get_action(device).map { String(cString: $0) } ?? "change"
            return UdevEvent(action: UdevEvent.Action(action), device: TTYDevice(device))
        }
    }
}

// A libudev monitor, like its context, belongs to one thread (the event loop).
@available(*, unavailable)
extension UdevMonitor: Sendable {}
