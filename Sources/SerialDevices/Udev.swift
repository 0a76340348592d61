import CUdev

#if canImport(Glibc)
import Glibc
#endif

/// A libudev context: lists tty devices and creates monitors.
///
/// Owns one reference to a `struct udev` and drops it exactly once, in deinit.
public final class Udev {
    let handle: OpaquePointer

    /// Creates a libudev context. The corresponding C function is `udev_new`.
    /// - Throws: `SystemError` when libudev cannot allocate one.
    public init() throws(SystemError) {
        setErrno(0)
        guard let handle = udev_new() else {
            let code = currentErrno()
            throw SystemError(call: "udev_new", errno: code == 0 ? ENOMEM : code)
        }
        self.handle = handle
    }

    deinit {
        udev_unref(handle)
    }

    /// Whether a udev daemon runs, so that a monitor will see hotplug events; where none runs
    /// (containers, minimal systems), rescan periodically instead.
    /// - Parameter controlPath: the daemon's control socket, `/run/udev/control`.
    public static func isDaemonRunning(controlPath: String = "/run/udev/control") -> Bool {
        access(controlPath, F_OK) == 0
    }

    /// Lists the devices of subsystem `tty` that udev knows, in udev's order.
    ///
    /// A device that disappears between the scan and the read is left out.
    /// - Throws: `SystemError` when libudev fails to scan.
    public func ttyDevices() throws(SystemError) -> [TTYDevice] {
        setErrno(0)
        guard let enumerate = udev_enumerate_new(handle) else {
            throw SystemError(call: "udev_enumerate_new", errno: nonzeroErrno())
        }
        defer { udev_enumerate_unref(enumerate) }
        try checkNegativeErrno(
            "udev_enumerate_add_match_subsystem",
            udev_enumerate_add_match_subsystem(enumerate, "tty"))
        try checkNegativeErrno("udev_enumerate_scan_devices", udev_enumerate_scan_devices(enumerate))

        var devices: [TTYDevice] = []
        for syspath in Self.names(udev_enumerate_get_list_entry(enumerate)) {
            guard let device = udev_device_new_from_syspath(handle, syspath) else { continue }
            defer { udev_device_unref(device) }
            devices.append(TTYDevice(device))
        }
        return devices
    }

    /// Reads one device by its sysfs path, or nil if udev does not know it (any more).
    /// The corresponding C function is `udev_device_new_from_syspath`.
    public func device(syspath: String) -> TTYDevice? {
        guard let device = udev_device_new_from_syspath(handle, syspath) else { return nil }
        defer { udev_device_unref(device) }
        return TTYDevice(device)
    }

    /// The names of a libudev list, in order.
    static func names(_ first: OpaquePointer?) -> [String] {
        var result: [String] = []
        var entry = first
        while let current = entry {
            if let name = udev_list_entry_get_name(current) { result.append(String(cString: name)) }
            entry = udev_list_entry_get_next(current)
        }
        return result
    }

    /// The name/value pairs of a libudev list; entries without a value map to "".
    static func pairs(_ first: OpaquePointer?) -> [String: String] {
        var result: [String: String] = [:]
        var entry = first
        while let current = entry {
            if let name = udev_list_entry_get_name(current) {
                let value = udev_list_entry_get_value(current).map { String(cString: $0) } ?? ""
                result[String(cString: name)] = value
            }
            entry = udev_list_entry_get_next(current)
        }
        return result
    }
}

/// errno after a libudev call that returned NULL, ENOMEM if libudev left none.
func nonzeroErrno() -> Int32 {
    let code = currentErrno()
    return code == 0 ? ENOMEM : code
}

extension TTYDevice {
    /// Copies what the agent needs out of a libudev device, which the caller still owns.
    init(_ device: OpaquePointer) {
        func string(_ pointer: UnsafePointer<CChar>?) -> String? { pointer.map { String(cString: $0) } }

        let properties = Udev.pairs(udev_device_get_properties_list_entry(device))
        var links = Udev.names(udev_device_get_devlinks_list_entry(device))
        if links.isEmpty, let devlinks = properties["DEVLINKS"] {
            links = devlinks.split(separator: " ").map(String.init)
        }

        // The tty itself rarely has a driver: the usb-serial port or interface above it does.
        var driver = string(udev_device_get_driver(device))
        var ancestor = udev_device_get_parent(device)
        while driver == nil, let current = ancestor {
            driver = string(udev_device_get_driver(current))
            ancestor = udev_device_get_parent(current)
        }
        if driver == nil { driver = properties["ID_USB_DRIVER"] }

        // Parents belong to the child device: no unref for them.
        var usb: USBDeviceInfo?
        if let parent = udev_device_get_parent_with_subsystem_devtype(device, "usb", "usb_device"),
            let vendor = string(udev_device_get_sysattr_value(parent, "idVendor")),
            let product = string(udev_device_get_sysattr_value(parent, "idProduct"))
        {
            usb = USBDeviceInfo(
                syspath: string(udev_device_get_syspath(parent)) ?? "",
                vendorID: vendor, productID: product,
                serial: string(udev_device_get_sysattr_value(parent, "serial")),
                manufacturer: string(udev_device_get_sysattr_value(parent, "manufacturer")),
                product: string(udev_device_get_sysattr_value(parent, "product")))
        }

        self.init(
            syspath: string(udev_device_get_syspath(device)) ?? "",
            sysname: string(udev_device_get_sysname(device)) ?? "",
            devnode: string(udev_device_get_devnode(device)) ?? properties["DEVNAME"],
            links: links, properties: properties, driver: driver, usb: usb)
    }
}

// libudev contexts are not thread-safe: one thread (the event loop) owns a context.
@available(*, unavailable)
extension Udev: Sendable {}
