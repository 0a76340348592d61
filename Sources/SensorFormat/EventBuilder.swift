/// The sections of a line that the parser knows, and the bit each one has in a set of sections.
enum Section: Int {
    case device, alarms, power, line, peaks, fftReal, fftImaginary, utcTime, frequency, wifiStrength, dummy
    case extra, none

    @inline(__always)
    var bit: UInt16 { 1 << UInt16(rawValue) }

    /// The section's name as the sensor writes it.
    var name: String {
        switch self {
        case .device: "Device"
        case .alarms: "Alarms"
        case .power: "Power"
        case .line: "Line"
        case .peaks: "Peaks"
        case .fftReal: "FFT Re"
        case .fftImaginary: "FFT Img"
        case .utcTime: "UTC Time"
        case .frequency: "hz"
        case .wifiStrength: "WiFi Strength"
        case .dummy: "Dummy"
        case .extra, .none: ""
        }
    }

    /// The known section with this name, `.extra` for any other.
    @inline(__always)
    static func named(_ name: ByteSpan) -> Section {
        switch name.count {
        case 2: if name.equals("hz") { return .frequency }
        case 4: if name.equals("Line") { return .line }
        case 5:
            if name.equals("Power") { return .power }
            if name.equals("Peaks") { return .peaks }
            if name.equals("Dummy") { return .dummy }
        case 6:
            if name.equals("Device") { return .device }
            if name.equals("Alarms") { return .alarms }
            if name.equals("FFT Re") { return .fftReal }
        case 7: if name.equals("FFT Img") { return .fftImaginary }
        case 8: if name.equals("UTC Time") { return .utcTime }
        case 13: if name.equals("WiFi Strength") { return .wifiStrength }
        default: break
        }
        return .extra
    }
}

/// The keys of the key/value sections, and the bit each one has in a set of keys.
enum Key: Int {
    case id, firmware, event, coilReversed, active, reactive, apparent, current, voltage, phase

    @inline(__always)
    var bit: UInt16 { 1 << UInt16(rawValue) }

    /// The field name for messages: `Section.Key`.
    var field: String {
        switch self {
        case .id: "Device.ID"
        case .firmware: "Device.Fw"
        case .event: "Device.Evt"
        case .coilReversed: "Alarms.CoilRevesed"
        case .active: "Power.Active"
        case .reactive: "Power.Reactive"
        case .apparent: "Power.Appearent"
        case .current: "Line.Current"
        case .voltage: "Line.Voltage"
        case .phase: "Line.Phase"
        }
    }

    /// The keys each section must have, in the order the sensor writes them.
    static func required(in section: Section) -> [Key] {
        switch section {
        case .device: [.id, .firmware, .event]
        case .alarms: [.coilReversed]
        case .power: [.active, .reactive, .apparent]
        case .line: [.current, .voltage, .phase]
        default: []
        }
    }
}

/// Collects the values of one line as its sections go by, then makes the event.
///
/// Everything works on the line's bytes in place; strings are made only for errors and for
/// extra sections.
struct EventBuilder {
    let base: UnsafePointer<UInt8>

    var deviceID: Int64 = 0
    var firmware: Int64 = 0
    var eventCode: Int64 = 0
    var coilReversed = false
    var activePower = 0.0
    var reactivePower = 0.0
    var apparentPower = 0.0
    var current = 0.0
    var voltage = 0.0
    var phase = 0.0
    var peaks: [Double] = []
    var fftReal: [Double] = []
    var fftImaginary: [Double] = []
    var measuredAt: UTCTimestamp?
    var frequency = 0.0
    var wifiStrength: Int64 = 0
    var dummy: Int64?
    var extra: [ExtraSection] = []

    var seenSections: UInt16 = 0
    var seenKeys: UInt16 = 0

    /// The section being read, where its value starts, and for an extra section its name.
    var section = Section.none
    var valueStart = 0
    var extraName = ""
    /// Whether the section has had an empty item, which must then be its last.
    var pendingEmpty = false

    init(base: UnsafePointer<UInt8>) {
        self.base = base
    }

    /// Reads the sections of the line's first `count` bytes.
    mutating func read(count: Int) throws(ParseError) {
        var i = 0
        while true {
            if let end = fastItem(i, count: count) {
                if end >= count { break }
                i = end + 1
                continue
            }
            var itemStart = i
            if let (name, value) = header(i, count: count) {
                try close(end: i == 0 ? 0 : i - 1)
                try open(name)
                valueStart = value
                // The rest of the item is the section's first item, never a section name.
                if let end = fastItem(value, count: count) {
                    if end >= count { break }
                    i = end + 1
                    continue
                }
                itemStart = value
            }
            var e = itemStart
            while e < count, base[e] != ASCII.semicolon { e += 1 }
            guard section != .none else {
                throw ParseError(
                    field: "line",
                    message: "expected a section name at the start, got \(ByteSpan(base, i, e).trimmed().quoted)")
            }
            try feed(ByteSpan(base, itemStart, e))
            if e >= count { break }
            i = e + 1
        }
        try close(end: count)
    }

    /// The name and the value's start when the item at `start` opens a section: letters and
    /// spaces, then `:` followed by a space, a tab, a `;` or the end of the line.
    @inline(__always)
    func header(_ start: Int, count: Int) -> (ByteSpan, Int)? {
        var s = start
        while s < count, base[s] == ASCII.space || base[s] == ASCII.tab { s += 1 }
        guard s < count, ASCII.isLetter(base[s]) else { return nil }
        var j = s + 1
        while j < count, ASCII.isLetter(base[j]) || base[j] == ASCII.space { j += 1 }
        guard j < count, base[j] == ASCII.colon else { return nil }
        guard j + 1 == count || base[j + 1] == ASCII.space || base[j + 1] == ASCII.tab || base[j + 1] == ASCII.semicolon
        else { return nil }
        return (ByteSpan(base, s, j).trimmed(), j + 1)
    }

    @inline(__always)
    mutating func open(_ name: ByteSpan) throws(ParseError) {
        let next = Section.named(name)
        if next == .extra {
            let text = name.string
            if extra.contains(where: { $0.name == text }) {
                throw ParseError(field: text, message: "appears twice")
            }
            extraName = text
        } else {
            if seenSections & next.bit != 0 { throw ParseError(field: next.name, message: "appears twice") }
            seenSections |= next.bit
            switch next {
            case .peaks: peaks.reserveCapacity(16)
            case .fftReal: fftReal.reserveCapacity(16)
            case .fftImaginary: fftImaginary.reserveCapacity(16)
            default: break
            }
        }
        section = next
        pendingEmpty = false
    }

    /// Takes one `;`-separated item of the current section.
    @inline(__always)
    mutating func feed(_ raw: ByteSpan) throws(ParseError) {
        switch section {
        case .device, .alarms, .power, .line, .peaks, .fftReal, .fftImaginary:
            let item = raw.trimmed()
            if item.isEmpty {
                pendingEmpty = true
                return
            }
            if pendingEmpty { throw ParseError(field: section.name, message: "empty item between two \";\"") }
            switch section {
            case .peaks: peaks.append(try listValue(item, count: peaks.count))
            case .fftReal: fftReal.append(try listValue(item, count: fftReal.count))
            case .fftImaginary: fftImaginary.append(try listValue(item, count: fftImaginary.count))
            default: try keyValue(item)
            }
        default:
            // Single values and extra sections are read whole when the section closes.
            break
        }
    }

    /// Ends the current section, whose value runs to `end`.
    @inline(__always)
    mutating func close(end: Int) throws(ParseError) {
        switch section {
        case .peaks:
            if peaks.count < 3 {
                throw ParseError(field: "Peaks", message: "need at least 3 values, got \(peaks.count)")
            }
        case .fftReal:
            if fftReal.isEmpty { throw ParseError(field: "FFT Re", message: "need at least 1 value, got 0") }
        case .fftImaginary:
            if fftImaginary.isEmpty { throw ParseError(field: "FFT Img", message: "need at least 1 value, got 0") }
        case .utcTime:
            let value = wholeValue(end: end)
            switch Self.timestamp(value) {
            case .some(.some(let time)): measuredAt = time
            case .some(.none):
                throw ParseError(field: "UTC Time", message: "not a real date and time, got \(value.quoted)")
            case .none:
                throw ParseError(field: "UTC Time", message: "expected YYYY-M-D H:MM:SS, got \(value.quoted)")
            }
        case .frequency:
            frequency = try decimal(wholeValue(end: end), unit: "Hz", field: "hz")
        case .wifiStrength:
            wifiStrength = try integer(wholeValue(end: end), unit: "dBm", field: "WiFi Strength")
        case .dummy:
            dummy = try integer(wholeValue(end: end), unit: "", field: "Dummy")
        case .extra:
            extra.append(ExtraSection(name: extraName, value: wholeValue(end: end).string))
        case .device, .alarms, .power, .line, .none:
            break
        }
        section = .none
    }

    /// The value of a single-value section: without surrounding spaces and one trailing `;`.
    @inline(__always)
    func wholeValue(end: Int) -> ByteSpan {
        var value = ByteSpan(base, valueStart, end).trimmed()
        if !value.isEmpty, base[value.end - 1] == ASCII.semicolon {
            value.end -= 1
            value = value.trimmed()
        }
        return value
    }

    @inline(__always)
    func listValue(_ item: ByteSpan, count: Int) throws(ParseError) -> Double {
        if let value = Self.decimal(item, unit: "") { return value }
        throw ParseError(field: section.name, message: Self.decimalProblem(item, unit: "", position: count + 1))
    }

    /// Reads a `Key=value` item of a key/value section.
    @inline(__always)
    mutating func keyValue(_ item: ByteSpan) throws(ParseError) {
        var eq = item.start
        while eq < item.end, base[eq] != ASCII.equals { eq += 1 }
        let name = ByteSpan(base, item.start, eq).trimmed()
        guard eq < item.end, !name.isEmpty else {
            throw ParseError(field: section.name, message: "expected Key=value, got \(item.quoted)")
        }
        let value = ByteSpan(base, eq + 1, item.end).trimmed()
        guard let key = Self.key(name, in: section) else {
            var letters = true
            for k in name.start..<name.end where !ASCII.isLetter(base[k]) { letters = false }
            guard letters, name.count <= 64 else {
                throw ParseError(field: section.name, message: "expected Key=value, got \(item.quoted)")
            }
            throw ParseError(field: "\(section.name).\(name.string)", message: "unknown key")
        }
        if seenKeys & key.bit != 0 { throw ParseError(field: key.field, message: "appears twice") }
        seenKeys |= key.bit
        switch key {
        case .id: deviceID = try integer(value, unit: "", field: key.field)
        case .firmware: firmware = try integer(value, unit: "", field: key.field)
        case .event: eventCode = try integer(value, unit: "", field: key.field)
        case .coilReversed:
            if value.equalsIgnoringCase("ON") {
                coilReversed = true
            } else if value.equalsIgnoringCase("OFF") {
                coilReversed = false
            } else {
                throw ParseError(field: key.field, message: "expected ON or OFF, got \(value.quoted)")
            }
        case .active: activePower = try decimal(value, unit: "W", field: key.field)
        case .reactive: reactivePower = try decimal(value, unit: "var", field: key.field)
        case .apparent: apparentPower = try decimal(value, unit: "VA", field: key.field)
        case .current: current = try decimal(value, unit: "A", field: key.field)
        case .voltage: voltage = try decimal(value, unit: "V", field: key.field)
        case .phase: phase = try decimal(value, unit: "rad", field: key.field)
        }
    }

    @inline(__always)
    static func key(_ name: ByteSpan, in section: Section) -> Key? {
        switch section {
        case .device:
            if name.equals("ID") { return .id }
            if name.equals("Fw") { return .firmware }
            if name.equals("Evt") { return .event }
        case .alarms:
            if name.equals("CoilRevesed") { return .coilReversed }
        case .power:
            if name.equals("Active") { return .active }
            if name.equals("Reactive") { return .reactive }
            if name.equals("Appearent") { return .apparent }
        case .line:
            if name.equals("Current") { return .current }
            if name.equals("Voltage") { return .voltage }
            if name.equals("Phase") { return .phase }
        default: break
        }
        return nil
    }

    /// Makes the event once the whole line is read, or names what is missing.
    mutating func finish() throws(ParseError) -> SensorEvent {
        // Every section but Dummy (bits 0 to 9), and all ten keys.
        let allSections: UInt16 = (1 << 10) - 1
        let allKeys: UInt16 = (1 << 10) - 1
        if seenSections & allSections != allSections || seenKeys != allKeys {
            let required: [Section] = [
                .device, .alarms, .power, .line, .peaks, .fftReal, .fftImaginary, .utcTime, .frequency, .wifiStrength,
            ]
            for section in required {
                guard seenSections & section.bit != 0 else { throw ParseError(field: section.name, message: "missing") }
                for key in Key.required(in: section) where seenKeys & key.bit == 0 {
                    throw ParseError(field: key.field, message: "missing")
                }
            }
        }
        if fftImaginary.count != fftReal.count {
            throw ParseError(
                field: "FFT Img", message: "\(fftImaginary.count) values but FFT Re has \(fftReal.count)")
        }
        guard let measuredAt else { throw ParseError(field: "UTC Time", message: "missing") }
        return SensorEvent(
            deviceID: deviceID, firmware: firmware, eventCode: eventCode, coilReversed: coilReversed,
            activePower: activePower, reactivePower: reactivePower, apparentPower: apparentPower,
            current: current, voltage: voltage, phase: phase,
            peaks: peaks, fftReal: fftReal, fftImaginary: fftImaginary,
            measuredAt: measuredAt, frequency: frequency, wifiStrength: wifiStrength,
            dummy: dummy, extra: extra)
    }
}
