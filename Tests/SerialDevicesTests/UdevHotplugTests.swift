import SerialDevices
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The directory through which Tests/umockdev/test_udev.py and this suite take turns.
let hotplugSyncDirectory = getenv("SERIAL_DEVICES_TEST_SYNC").map { String(cString: $0) }

/// Hotplug through a umockdev testbed that Tests/umockdev/test_udev.py drives from outside:
/// this suite creates a monitor and says so (file `ready`), the script adds the FTDI fixture,
/// this suite checks the add event and says so (file `added`), the script removes the device,
/// and this suite checks the remove event.
@Suite(
    "udev hotplug under a umockdev testbed", .serialized,
    .enabled(
        if: isUnderUmockdev && hotplugSyncDirectory != nil,
        "driven by Tests/umockdev/test_udev.py"))
struct UdevHotplugTests {
    @Test func addThenRemove() throws {
        let sync = try #require(hotplugSyncDirectory)
        let udev = try Udev()
        let monitor = try UdevMonitor(udev: udev)
        let selector = DeviceSelector(options: DeviceSelectionOptions())
        #expect(try udev.ttyDevices().allSatisfy { $0.sysname != "ttyUSB0" })
        try touch(sync + "/ready")

        let added = try #require(try nextEvent(monitor, for: "ttyUSB0"), "no add event within 10 s")
        #expect(added.action == .add)
        #expect(added.device.devnode == "/dev/ttyUSB0")
        #expect(added.device.usb?.vendorID == "0403")
        #expect(added.device.usb?.productID == "6001")
        #expect(added.device.usb?.serial == "A50285BI")
        #expect(selector.decide(added.device).verdict == .probe)
        #expect(try udev.ttyDevices().contains { $0.sysname == "ttyUSB0" })
        try touch(sync + "/added")

        let removed = try #require(try nextEvent(monitor, for: "ttyUSB0"), "no remove event within 10 s")
        #expect(removed.action == .remove)
        #expect(removed.device.devnode == "/dev/ttyUSB0")
        #expect(removed.device.serialShort == "A50285BI")
        // After a remove, --match still recognises the adapter from the event's properties.
        let matcher = DeviceSelector(
            options: DeviceSelectionOptions(matches: [USBMatch(vendorID: "0403", productID: "6001")]))
        #expect(matcher.decide(removed.device).verdict == .adopt)
    }

    /// Waits up to 10 s for the monitor's next event about `sysname`, as an event loop would.
    private func nextEvent(_ monitor: UdevMonitor, for sysname: String) throws -> UdevEvent? {
        for _ in 0..<100 {
            while let event = try monitor.receive() {
                if event.device.sysname == sysname { return event }
            }
            var entry = pollfd(fd: monitor.fileDescriptor, events: Int16(POLLIN), revents: 0)
            _ = poll(&entry, 1, 100)
        }
        return nil
    }

    private func touch(_ path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        try #require(fd >= 0, "open \(path): errno \(errno)")
        #expect(close(fd) == 0)
    }
}
