/// One event as the sensor reported it, with every value cleaned into its base unit.
///
/// The field comments name the column each value has in the database and in exports.
public struct SensorEvent: Sendable, Equatable {
    /// `device_id`: the sensor's `Device.ID`.
    public var deviceID: Int64
    /// `firmware`: `Device.Fw`.
    public var firmware: Int64
    /// `event_code`: `Device.Evt`.
    public var eventCode: Int64
    /// `coil_reversed`: `Alarms.CoilRevesed` (the sensor spells it that way), ON is `true`.
    public var coilReversed: Bool
    /// `active_power_w`: `Power.Active`, in watts.
    public var activePower: Double
    /// `reactive_power_var`: `Power.Reactive`, in volt-amperes reactive.
    public var reactivePower: Double
    /// `apparent_power_va`: `Power.Appearent`, in volt-amperes.
    public var apparentPower: Double
    /// `current_a`: `Line.Current`, in amperes.
    public var current: Double
    /// `voltage_v`: `Line.Voltage`, in volts.
    public var voltage: Double
    /// `phase_rad`: `Line.Phase`, in radians.
    public var phase: Double
    /// `peaks`: the `Peaks` list, at least three values.
    public var peaks: [Double]
    /// `fft_re`: the real parts of the harmonics (`FFT Re`).
    public var fftReal: [Double]
    /// `fft_im`: the imaginary parts of the harmonics (`FFT Img`), as many as `fftReal`.
    public var fftImaginary: [Double]
    /// `measured_at`: the sensor's `UTC Time`.
    public var measuredAt: UTCTimestamp
    /// `frequency_hz`: `hz`.
    public var frequency: Double
    /// `wifi_strength_dbm`: `WiFi Strength`.
    public var wifiStrength: Int64
    /// `dummy`: `Dummy`, the only optional section.
    public var dummy: Int64?
    /// `extra`: sections the parser does not know, kept verbatim in line order.
    public var extra: [ExtraSection]

    /// Creates an event from already clean values.
    public init(
        deviceID: Int64, firmware: Int64, eventCode: Int64, coilReversed: Bool,
        activePower: Double, reactivePower: Double, apparentPower: Double,
        current: Double, voltage: Double, phase: Double,
        peaks: [Double], fftReal: [Double], fftImaginary: [Double],
        measuredAt: UTCTimestamp, frequency: Double, wifiStrength: Int64,
        dummy: Int64?, extra: [ExtraSection] = []
    ) {
        self.deviceID = deviceID
        self.firmware = firmware
        self.eventCode = eventCode
        self.coilReversed = coilReversed
        self.activePower = activePower
        self.reactivePower = reactivePower
        self.apparentPower = apparentPower
        self.current = current
        self.voltage = voltage
        self.phase = phase
        self.peaks = peaks
        self.fftReal = fftReal
        self.fftImaginary = fftImaginary
        self.measuredAt = measuredAt
        self.frequency = frequency
        self.wifiStrength = wifiStrength
        self.dummy = dummy
        self.extra = extra
    }

    /// The number of clustering features per event.
    public static let featureCount = 8

    /// The names of the clustering features, in the order of ``features``.
    public static let featureNames = [
        "active_power_w", "reactive_power_var", "apparent_power_va", "current_a", "voltage_v",
        "peak_1", "peak_2", "peak_3",
    ]

    /// The 8 values the clustering uses: active, reactive and apparent power, current, voltage
    /// and the first three peaks.
    ///
    /// Requires at least three peaks, which ``EventParser`` guarantees for every event it returns.
    public var features: [Double] {
        [activePower, reactivePower, apparentPower, current, voltage, peaks[0], peaks[1], peaks[2]]
    }
}

/// A section of a line that the parser does not know, kept as it was written.
public struct ExtraSection: Sendable, Equatable {
    /// The section's name, without the `: ` that follows it.
    public var name: String
    /// Everything after `name: ` up to the next section, without surrounding spaces and tabs and
    /// without one trailing `;`.
    public var value: String

    /// Creates an extra section.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A calendar date and time of day in UTC, as the sensor's `UTC Time` section gives it.
public struct UTCTimestamp: Sendable, Equatable, Comparable, CustomStringConvertible {
    /// The year, 1 to 9999.
    public var year: Int
    /// The month, 1 to 12.
    public var month: Int
    /// The day of the month, from 1.
    public var day: Int
    /// The hour, 0 to 23.
    public var hour: Int
    /// The minute, 0 to 59.
    public var minute: Int
    /// The second, 0 to 59: the sensor's clock has no leap seconds.
    public var second: Int

    /// Creates a timestamp, or `nil` when the fields do not name a real date and time.
    public init?(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            (1...UTCTimestamp.daysIn(month: month, year: year)).contains(day),
            (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// The number of days in a month of the proleptic Gregorian calendar.
    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2:
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            return leap ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    public var secondsSinceEpoch: Int64 {
        // Days from civil, after Howard Hinnant's well-known algorithm.
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146097 + doe - 719468
        return days * 86400 + Int64(hour) * 3600 + Int64(minute) * 60 + Int64(second)
    }

    /// ISO 8601 in UTC, for example `2016-10-04T16:47:50Z`.
    public var iso8601: String {
        String(unsafeUninitializedCapacity: 20) { writeISO8601(into: UnsafeMutableRawBufferPointer($0)) }
    }

    /// Calls `body` with the 20 bytes of ``iso8601``, without allocating.
    public func withISO8601Bytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeTemporaryAllocation(byteCount: 20, alignment: 1) { buffer in
            let count = writeISO8601(into: buffer)
            return try body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
    }

    private func writeISO8601(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        func put(_ value: Int, _ width: Int, at offset: Int) {
            var rest = value
            for index in stride(from: offset + width - 1, through: offset, by: -1) {
                buffer[index] = UInt8(48 + rest % 10)
                rest /= 10
            }
        }
        put(year, 4, at: 0)
        buffer[4] = UInt8(ascii: "-")
        put(month, 2, at: 5)
        buffer[7] = UInt8(ascii: "-")
        put(day, 2, at: 8)
        buffer[10] = UInt8(ascii: "T")
        put(hour, 2, at: 11)
        buffer[13] = UInt8(ascii: ":")
        put(minute, 2, at: 14)
        buffer[16] = UInt8(ascii: ":")
        put(second, 2, at: 17)
        buffer[19] = UInt8(ascii: "Z")
        return 20
    }

    public var description: String { iso8601 }

    public static func < (lhs: UTCTimestamp, rhs: UTCTimestamp) -> Bool {
        (lhs.year, lhs.month, lhs.day, lhs.hour, lhs.minute, lhs.second)
            < (rhs.year, rhs.month, rhs.day, rhs.hour, rhs.minute, rhs.second)
    }
}
