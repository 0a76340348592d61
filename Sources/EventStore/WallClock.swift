import Glibc

/// The current UTC time as ISO 8601 text with milliseconds (`2026-12-03T13:05:01.123Z`).
public struct WallClock {
    private var cachedSecond: Int = -1
    private var cachedPrefix: [UInt8] = []

    /// Creates a clock.
    public init() {}

    /// Seconds since the epoch, with fractions. The corresponding C function is `clock_gettime`.
    public static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Formats seconds since the epoch as ISO 8601 UTC with milliseconds.
    public static func iso8601(_ time: Double) -> String {
        var clock = WallClock()
        return clock.format(time)
    }

    /// The current time, formatted.
    public mutating func nowText() -> String {
        format(Self.now())
    }

    /// Formats a time, reusing the date part of the previous call when it is the same second.
    public mutating func format(_ time: Double) -> String {
        let whole = Int(time.rounded(.down))
        let millis = min(999, Int((time - Double(whole)) * 1000))
        if whole != cachedSecond {
            var seconds = time_t(whole)
            var parts = tm()
            gmtime_r(&seconds, &parts)
            let text =
                "\(Self.pad(Int(parts.tm_year) + 1900, 4))-\(Self.pad(Int(parts.tm_mon) + 1, 2))-"
                + "\(Self.pad(Int(parts.tm_mday), 2))T\(Self.pad(Int(parts.tm_hour), 2)):"
                + "\(Self.pad(Int(parts.tm_min), 2)):\(Self.pad(Int(parts.tm_sec), 2))."
            cachedPrefix = Array(text.utf8)
            cachedSecond = whole
        }
        var bytes = cachedPrefix
        bytes.append(UInt8(48 + millis / 100))
        bytes.append(UInt8(48 + millis / 10 % 10))
        bytes.append(UInt8(48 + millis % 10))
        bytes.append(UInt8(ascii: "Z"))
        return String(decoding: bytes, as: UTF8.self)
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
