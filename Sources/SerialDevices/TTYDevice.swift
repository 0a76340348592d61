/// A tty as udev describes it: its node, links, properties and the USB device it hangs off.
///
/// A plain value, copied out of libudev, safe to keep and to send between threads.
public struct TTYDevice: Equatable, Hashable, Sendable {
    /// The sysfs path, such as `/sys/devices/…/ttyUSB0/tty/ttyUSB0`.
    public var syspath: String
    /// The kernel name, such as `ttyUSB0`.
    public var sysname: String
    /// The device node, such as `/dev/ttyUSB0`, if it has one.
    public var devnode: String?
    /// The symlinks udev made to the node (the `DEVLINKS` property), such as
    /// `/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0`.
    public var links: [String]
    /// Every udev property of the device (`ID_SERIAL_SHORT`, `ENERGY_SENSOR`, …).
    public var properties: [String: String]
    /// The kernel driver of the device or of its nearest parent that has one, such as `ftdi_sio`.
    public var driver: String?
    /// The USB device the tty belongs to, if any (absent for a built-in UART, and for a device
    /// already removed).
    public var usb: USBDeviceInfo?

    /// Creates a description; libudev fills these in, tests write them by hand.
    public init(
        syspath: String, sysname: String, devnode: String?, links: [String] = [],
        properties: [String: String] = [:], driver: String? = nil, usb: USBDeviceInfo? = nil
    ) {
        self.syspath = syspath
        self.sysname = sysname
        self.devnode = devnode
        self.links = links
        self.properties = properties
        self.driver = driver
        self.usb = usb
    }

    /// The links under `/dev/serial/by-id/`, stable across replugging.
    public var byIDLinks: [String] { links.filter { $0.hasPrefix("/dev/serial/by-id/") } }

    /// Whether the project's udev rule tagged the device (`ENERGY_SENSOR=1`).
    public var isEnergySensor: Bool { properties["ENERGY_SENSOR"] == "1" }

    /// The adapter's serial number as udev read it (`ID_SERIAL_SHORT`).
    public var serialShort: String? { properties["ID_SERIAL_SHORT"] }

    /// The vendor ID udev read (`ID_VENDOR_ID`), four hex digits.
    public var vendorIDProperty: String? { properties["ID_VENDOR_ID"] }

    /// The model ID udev read (`ID_MODEL_ID`), four hex digits.
    public var modelIDProperty: String? { properties["ID_MODEL_ID"] }
}

/// The USB device (`usb_device`) a tty hangs off, from its sysfs attributes.
public struct USBDeviceInfo: Equatable, Hashable, Sendable {
    /// The sysfs path of the USB device.
    public var syspath: String
    /// The `idVendor` attribute, four hex digits such as `0403`.
    public var vendorID: String
    /// The `idProduct` attribute, four hex digits such as `6001`.
    public var productID: String
    /// The `serial` attribute, if the device has one.
    public var serial: String?
    /// The `manufacturer` attribute, if any.
    public var manufacturer: String?
    /// The `product` attribute, if any.
    public var product: String?

    /// Creates a description; libudev fills these in, tests write them by hand.
    public init(
        syspath: String, vendorID: String, productID: String, serial: String? = nil,
        manufacturer: String? = nil, product: String? = nil
    ) {
        self.syspath = syspath
        self.vendorID = vendorID
        self.productID = productID
        self.serial = serial
        self.manufacturer = manufacturer
        self.product = product
    }
}
