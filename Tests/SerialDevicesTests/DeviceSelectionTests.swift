import SerialDevices
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A selection case: options, a device, and the decision expected, as a row of a table.
struct SelectionCase: CustomTestStringConvertible, Sendable {
    var name: String
    var options: DeviceSelectionOptions
    var device: TTYDevice
    var expected: DeviceDecision

    var testDescription: String { name }
}

enum Devices {
    static let byID = "/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0"

    static func ftdi(tagged: Bool = false, links: [String] = [byID]) -> TTYDevice {
        var properties = [
            "ID_VENDOR_ID": "0403", "ID_MODEL_ID": "6001", "ID_SERIAL_SHORT": "A50285BI",
            "DEVNAME": "/dev/ttyUSB0", "SUBSYSTEM": "tty",
        ]
        if tagged { properties["ENERGY_SENSOR"] = "1" }
        return TTYDevice(
            syspath: "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0/ttyUSB0/tty/ttyUSB0",
            sysname: "ttyUSB0", devnode: "/dev/ttyUSB0", links: links, properties: properties,
            driver: "ftdi_sio",
            usb: USBDeviceInfo(
                syspath: "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-2", vendorID: "0403",
                productID: "6001", serial: "A50285BI"))
    }

    static let gps = TTYDevice(
        syspath: "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-3/1-3:1.0/tty/ttyACM0",
        sysname: "ttyACM0", devnode: "/dev/ttyACM0", driver: "cdc_acm",
        usb: USBDeviceInfo(
            syspath: "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-3", vendorID: "1546", productID: "01a7"))

    static let uart = TTYDevice(
        syspath: "/sys/devices/platform/serial8250/tty/ttyS0", sysname: "ttyS0", devnode: "/dev/ttyS0",
        driver: "serial8250")

    static let noNode = TTYDevice(syspath: "/sys/devices/virtual/tty/ttyUSB7", sysname: "ttyUSB7", devnode: nil)
}

/// Symlinks as the selector would find them on disk.
let fakeLinks: [String: String] = [
    Devices.byID: "/dev/ttyUSB0",
    "/dev/energy-sensor-A50285BI": "/dev/ttyUSB0",
    "/dev/ttyUSB0": "/dev/ttyUSB0",
    "/dev/ttyACM0": "/dev/ttyACM0",
    "/dev/ttyS0": "/dev/ttyS0",
]

func options(devices: [String] = [], matches: [String] = [], probe: Bool? = nil) -> DeviceSelectionOptions {
    DeviceSelectionOptions(
        devices: devices, matches: matches.map { try! USBMatch(parsing: $0) }, probesUnselectedAdapters: probe)
}

let notSelected = "USB serial adapter not selected by --device or --match"
let probing = "USB serial adapter: adopted if it sends a sensor event"

@Suite("Device selection")
struct DeviceSelectionTests {
    static let cases: [SelectionCase] = [
        SelectionCase(
            name: "no options, untagged FTDI: probed", options: options(), device: Devices.ftdi(),
            expected: DeviceDecision(.probe, probing)),
        SelectionCase(
            name: "no options, tagged FTDI: adopted", options: options(), device: Devices.ftdi(tagged: true),
            expected: DeviceDecision(.adopt, "tagged ENERGY_SENSOR=1 by the udev rule")),
        SelectionCase(
            name: "no options, ttyACM: probed", options: options(), device: Devices.gps,
            expected: DeviceDecision(.probe, probing)),
        SelectionCase(
            name: "built-in UART: ignored", options: options(), device: Devices.uart,
            expected: DeviceDecision(.ignore, "not a USB serial adapter")),
        SelectionCase(
            name: "no device node: ignored", options: options(), device: Devices.noNode,
            expected: DeviceDecision(.ignore, "has no device node")),
        SelectionCase(
            name: "--device with the node", options: options(devices: ["/dev/ttyUSB0"]), device: Devices.ftdi(),
            expected: DeviceDecision(.adopt, "named by --device /dev/ttyUSB0")),
        SelectionCase(
            name: "--device with a by-id link udev reports", options: options(devices: [Devices.byID]),
            device: Devices.ftdi(), expected: DeviceDecision(.adopt, "named by --device \(Devices.byID)")),
        SelectionCase(
            name: "--device with a link found only on disk",
            options: options(devices: ["/dev/energy-sensor-A50285BI"]), device: Devices.ftdi(links: []),
            expected: DeviceDecision(.adopt, "named by --device /dev/energy-sensor-A50285BI")),
        SelectionCase(
            name: "--device names a built-in UART", options: options(devices: ["/dev/ttyS0"]), device: Devices.uart,
            expected: DeviceDecision(.adopt, "named by --device /dev/ttyS0")),
        SelectionCase(
            name: "--device names another port: no probing", options: options(devices: ["/dev/ttyUSB1"]),
            device: Devices.ftdi(), expected: DeviceDecision(.ignore, notSelected)),
        SelectionCase(
            name: "--device elsewhere, tagged FTDI still adopted", options: options(devices: ["/dev/pts/3"]),
            device: Devices.ftdi(tagged: true),
            expected: DeviceDecision(.adopt, "tagged ENERGY_SENSOR=1 by the udev rule")),
        SelectionCase(
            name: "--match VID:PID", options: options(matches: ["0403:6001"]), device: Devices.ftdi(),
            expected: DeviceDecision(.adopt, "matches --match 0403:6001")),
        SelectionCase(
            name: "--match in upper case, serial in lower case",
            options: options(matches: ["ABCD:1234", "0403:6001:a50285bi"]),
            device: Devices.ftdi(), expected: DeviceDecision(.adopt, "matches --match 0403:6001:a50285bi")),
        SelectionCase(
            name: "--match another serial", options: options(matches: ["0403:6001:FT0THER1"]), device: Devices.ftdi(),
            expected: DeviceDecision(.ignore, notSelected)),
        SelectionCase(
            name: "--match another adapter, GPS not probed", options: options(matches: ["0403:6001"]),
            device: Devices.gps, expected: DeviceDecision(.ignore, notSelected)),
        SelectionCase(
            name: "--match another adapter, probing asked for", options: options(matches: ["0403:6001"], probe: true),
            device: Devices.gps, expected: DeviceDecision(.probe, probing)),
        SelectionCase(
            name: "no options, probing turned off", options: options(probe: false), device: Devices.ftdi(),
            expected: DeviceDecision(.ignore, notSelected)),
    ]

    @Test(arguments: cases)
    func decides(_ row: SelectionCase) {
        let selector = DeviceSelector(options: row.options, resolvePath: { fakeLinks[$0] })
        #expect(selector.decide(row.device) == row.expected)
    }

    @Test func probingIsTheDefaultOnlyWithoutDeviceOrMatch() {
        #expect(DeviceSelectionOptions().probesUnselectedAdapters)
        #expect(!DeviceSelectionOptions(devices: ["/dev/ttyUSB0"]).probesUnselectedAdapters)
        #expect(
            !DeviceSelectionOptions(matches: [USBMatch(vendorID: "0403", productID: "6001")]).probesUnselectedAdapters)
    }

    @Test(arguments: [
        ("ttyUSB0", true), ("ttyUSB12", true), ("ttyACM0", true), ("ttyUSB", false), ("ttyUSB0a", false),
        ("ttyS0", false), ("ttyAMA0", false), ("tty1", false), ("console", false),
    ])
    func usbAdapterNames(sysname: String, isAdapter: Bool) {
        #expect(DeviceSelector.isUSBSerialAdapterName(sysname) == isAdapter)
    }

    @Test(arguments: [
        ("0403:6001", USBMatch(vendorID: "0403", productID: "6001")),
        ("0403:6001:A50285BI", USBMatch(vendorID: "0403", productID: "6001", serial: "A50285BI")),
        ("ABCD:eF01", USBMatch(vendorID: "abcd", productID: "ef01")),
        ("0403:6001:with:colons", USBMatch(vendorID: "0403", productID: "6001", serial: "with:colons")),
    ])
    func parsesMatches(text: String, expected: USBMatch) throws {
        let match = try USBMatch(parsing: text)
        #expect(match == expected)
        #expect(match.description == text.lowercasedIDs)
    }

    @Test(arguments: [
        "zz", "", "0403", "403:6001", "0403:60011", "0403-6001", "g403:6001", "0403:", ":6001", "0x03:6001",
    ])
    func rejectsMalformedMatches(text: String) {
        let error = #expect(throws: DeviceSelectionError.self) { try USBMatch(parsing: text) }
        #expect(error?.description == "--match: expected VID:PID[:SERIAL] with 4 hex digits each, got \"\(text)\"")
    }

    @Test func rejectsAnEmptySerial() {
        let error = #expect(throws: DeviceSelectionError.self) { try USBMatch(parsing: "0403:6001:") }
        #expect(error?.description == "--match: the serial after VID:PID is empty in \"0403:6001:\"")
    }

    @Test func resolvesSymlinksLikeRealpath() throws {
        #expect(DeviceSelector.realPath("/") == "/")
        #expect(DeviceSelector.realPath("/dev/../dev/./null") == "/dev/null")
        #expect(DeviceSelector.realPath("/no/such/path") == nil)
        let pty = try PseudoTerminal()
        let link = "/tmp/serial-devices-realpath-\(getpid())"
        let relative = link + "-relative"
        unlink(link)
        unlink(relative)
        try #require(symlink(pty.slavePath, link) == 0)
        defer { unlink(link) }
        // A relative link to a link, as udev's by-id links are.
        let name = String(link.split(separator: "/").last!)
        try #require(symlink("../tmp/./" + name, relative) == 0)
        defer { unlink(relative) }
        #expect(DeviceSelector.realPath(link) == pty.slavePath)
        #expect(DeviceSelector.realPath(relative) == pty.slavePath)
    }
}

extension String {
    /// The text with the two ID fields lowercased, as `USBMatch.description` gives them.
    fileprivate var lowercasedIDs: String {
        let parts = split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        return ([parts[0].lowercased(), parts[1].lowercased()] + parts.dropFirst(2).map(String.init))
            .joined(separator: ":")
    }
}
