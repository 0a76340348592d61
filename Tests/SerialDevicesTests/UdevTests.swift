import SerialDevices
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Whether the process runs inside a umockdev testbed (`umockdev-run` or `umockdev-wrapper`).
let isUnderUmockdev = getenv("UMOCKDEV_DIR") != nil

/// Whether the testbed's adapter carries `ENERGY_SENSOR=1` (the tagged variant of the fixture);
/// set by Tests/umockdev/run-udev-tests.sh.
let expectsTaggedAdapter = getenv("SERIAL_DEVICES_TEST_TAGGED").map { String(cString: $0) } == "1"

/// Runs against the FTDI FT232R fixture loaded into a umockdev testbed:
/// `Tests/umockdev/run-udev-tests.sh` runs this suite with the plain and the tagged fixture.
@Suite(
    "udev under umockdev", .serialized,
    .enabled(if: isUnderUmockdev, "needs a umockdev testbed: run Tests/umockdev/run-udev-tests.sh"))
struct UdevTests {
    private func adapter() throws -> TTYDevice {
        let udev = try Udev()
        let devices = try udev.ttyDevices()
        return try #require(devices.first { $0.sysname == "ttyUSB0" }, "devices: \(devices.map(\.syspath))")
    }

    @Test func enumeratesTheFakeFTDIAdapter() throws {
        let device = try adapter()
        #expect(device.devnode == "/dev/ttyUSB0")
        #expect(device.syspath.hasSuffix("/1-2/1-2:1.0/ttyUSB0/tty/ttyUSB0"))
        #expect(device.serialShort == "A50285BI")
        #expect(device.vendorIDProperty == "0403")
        #expect(device.modelIDProperty == "6001")
        #expect(device.properties["ID_SERIAL"] == "FTDI_FT232R_USB_UART_A50285BI")
        #expect(device.driver == "ftdi_sio")
        let usb = try #require(device.usb)
        #expect(usb.vendorID == "0403")
        #expect(usb.productID == "6001")
        #expect(usb.serial == "A50285BI")
        #expect(usb.manufacturer == "FTDI")
        #expect(usb.product == "FT232R USB UART")
        #expect(usb.syspath.hasSuffix("/usb1/1-2"))
        #expect(device.isEnergySensor == expectsTaggedAdapter)
    }

    @Test func looksUpADeviceBySyspath() throws {
        let device = try adapter()
        let again = try Udev().device(syspath: device.syspath)
        #expect(again == device)
        #expect(try Udev().device(syspath: "/sys/devices/no/such/tty") == nil)
    }

    @Test func selectsTheAdapter() throws {
        let device = try adapter()
        let byDefault = DeviceSelector(options: DeviceSelectionOptions()).decide(device)
        if expectsTaggedAdapter {
            #expect(byDefault == DeviceDecision(.adopt, "tagged ENERGY_SENSOR=1 by the udev rule"))
        } else {
            #expect(byDefault.verdict == .probe)
        }
        let matched = DeviceSelector(
            options: DeviceSelectionOptions(matches: [try USBMatch(parsing: "0403:6001:a50285bi")])
        ).decide(device)
        #expect(matched.verdict == .adopt)
        let named = DeviceSelector(options: DeviceSelectionOptions(devices: ["/dev/ttyUSB0"])).decide(device)
        #expect(named == DeviceDecision(.adopt, "named by --device /dev/ttyUSB0"))
    }

    @Test func opensTheFakeNodeAndAppliesTermios() throws {
        let device = try adapter()
        let port = try SerialPort(path: try #require(device.devnode), baudRate: 115200)
        defer { try? port.close() }
        // umockdev's fake node (0.17) is a pty behind an LD_PRELOAD shim that refuses TIOCEXCL:
        // a warning, not a failure, and the flock still keeps a second opener out.
        #expect(
            port.warnings.map(\.description) == [
                "ioctl(TIOCEXCL) /dev/ttyUSB0 failed: Inappropriate ioctl for device (errno 25); "
                    + "exclusive use rests on flock alone"
            ])
        #expect(throws: SerialPortError.inUse(path: "/dev/ttyUSB0")) { try SerialPort(path: "/dev/ttyUSB0") }
        var settings = termios()
        #expect(tcgetattr(port.fileDescriptor, &settings) == 0)
        #expect(cfgetospeed(&settings) == speed_t(B115200))
        #expect(settings.c_lflag & tcflag_t(ICANON | ECHO) == 0)
        #expect(settings.c_cflag & tcflag_t(CSIZE) == tcflag_t(CS8))
        var buffer = [UInt8](repeating: 0, count: 64)
        #expect(try buffer.withUnsafeMutableBytes { try port.read(into: $0) } == .wouldBlock)
    }

    @Test func monitorStartsAndHasNothingPending() throws {
        let monitor = try UdevMonitor(udev: try Udev())
        #expect(monitor.fileDescriptor >= 0)
        #expect(try monitor.receive() == nil)
    }
}

@Suite("udev daemon detection")
struct UdevDaemonTests {
    @Test func followsTheControlSocketsPresence() throws {
        #expect(!Udev.isDaemonRunning(controlPath: "/run/no-such-udev/control"))
        let path = "/tmp/serial-devices-udev-control-\(getpid())"
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        try #require(fd >= 0)
        #expect(close(fd) == 0)
        defer { unlink(path) }
        #expect(Udev.isDaemonRunning(controlPath: path))
    }
}
