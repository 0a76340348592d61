import SensorFormat
import Testing

/// A line as the sensor writes it, the starting point for the rule tests.
let sampleLine =
    "Device: ID=1; Fw=16071801; Evt=2; Alarms: CoilRevesed=OFF; Power: Active=1753W; Reactive=279var; "
    + "Appearent=403VA; Line: Current=7.35900021; Voltage=230.08V; Phase=-43,841rad; Peaks: 7.33199978;"
    + "7.311999799999999;7.53000021;7.48400021;7.54300022;7.62900019;7.36499977;7.28599977;7.37200022;"
    + "7.31899977; FFT Re: 9748;46;303;33;52;19;19;39;-455; FFT Img: 2712;6;-792;-59;1386;-19;963;33;462; "
    + "UTC Time: 2016-10-4 16:47:50; hz: 49.87; WiFi Strength: -62; Dummy: 20"

/// The sample line with one piece of text replaced; the piece must be there.
func sample(_ old: String, _ new: String) -> String {
    precondition(sampleLine.contains(old), "the sample line has no \(old)")
    return sampleLine.replacing(old, with: new, maxReplacements: 1)
}

/// The sections of the sample line, in order, each without its separating "; ".
let sampleSections = [
    "Device: ID=1; Fw=16071801; Evt=2", "Alarms: CoilRevesed=OFF",
    "Power: Active=1753W; Reactive=279var; Appearent=403VA",
    "Line: Current=7.35900021; Voltage=230.08V; Phase=-43,841rad",
    "Peaks: 7.33199978;7.311999799999999;7.53000021;7.48400021;7.54300022;7.62900019;7.36499977;7.28599977;"
        + "7.37200022;7.31899977",
    "FFT Re: 9748;46;303;33;52;19;19;39;-455", "FFT Img: 2712;6;-792;-59;1386;-19;963;33;462",
    "UTC Time: 2016-10-4 16:47:50", "hz: 49.87", "WiFi Strength: -62", "Dummy: 20",
]

/// The error a line gives, or `nil` when it parses.
func parseError(_ bytes: [UInt8]) -> ParseError? {
    do {
        _ = try EventParser().parse(bytes)
        return nil
    } catch {
        return error
    }
}

@Suite struct ParserRuleTests {
    let parser = EventParser()

    @Test func sampleLineValues() throws {
        #expect(sampleSections.joined(separator: "; ") == sampleLine)
        let event = try parser.parse(sampleLine)
        #expect(event.deviceID == 1)
        #expect(event.firmware == 16_071_801)
        #expect(event.eventCode == 2)
        #expect(event.coilReversed == false)
        #expect(event.activePower == 1753)
        #expect(event.reactivePower == 279)
        #expect(event.apparentPower == 403)
        #expect(event.current == 7.35900021)
        #expect(event.voltage == 230.08)
        #expect(event.phase == -43.841)
        #expect(event.peaks.count == 10)
        #expect(event.peaks[1] == 7.311999799999999)
        #expect(event.fftReal == [9748, 46, 303, 33, 52, 19, 19, 39, -455])
        #expect(event.fftImaginary == [2712, 6, -792, -59, 1386, -19, 963, 33, 462])
        #expect(event.measuredAt == UTCTimestamp(year: 2016, month: 10, day: 4, hour: 16, minute: 47, second: 50))
        #expect(event.measuredAt.iso8601 == "2016-10-04T16:47:50Z")
        #expect(event.frequency == 49.87)
        #expect(event.wifiStrength == -62)
        #expect(event.dummy == 20)
        #expect(event.extra.isEmpty)
        #expect(event.features == [1753, 279, 403, 7.35900021, 230.08, 7.33199978, 7.311999799999999, 7.53000021])
    }

    /// Lines written differently from the sample that mean exactly the same event.
    static let equivalentLines: [String] = [
        sampleLine + "\r",
        sampleLine + ";",
        sampleLine + "; ",
        sampleLine + " ;\r",
        sampleSections.reversed().joined(separator: "; "),
        sampleSections.joined(separator: ";"),
        sampleSections.joined(separator: " ;  "),
        sampleSections.joined(separator: ";\t"),
        sampleSections.map { $0 + ";" }.joined(separator: " "),
        "  " + sampleLine,
        sample("Peaks: 7.33199978;7.311999799999999;", "Peaks:  7.33199978 ; 7.311999799999999 ;"),
        sample("Active=1753W", "Active = 1753W"),
        sample("Active=1753W", "Active=1753w"),
        sample("Active=1753W", "Active=1753"),
        sample("Active=1753W", "Active=+1753.000W"),
        sample("Reactive=279var", "Reactive=279VAR"),
        sample("Reactive=279var", "Reactive=279"),
        sample("Appearent=403VA", "Appearent=403va"),
        sample("Current=7.35900021", "Current=7.35900021A"),
        sample("Current=7.35900021", "Current=7,35900021a"),
        sample("Voltage=230.08V", "Voltage=230,08v"),
        sample("Voltage=230.08V", "Voltage=230.080000000000000000000000000"),
        sample("Phase=-43,841rad", "Phase=-43.841"),
        sample("Phase=-43,841rad", "Phase=-43.841RAD"),
        sample("CoilRevesed=OFF", "CoilRevesed=off"),
        sample("ID=1", "ID=+1"),
        sample("ID=1", "ID=0001"),
        sample("UTC Time: 2016-10-4 16:47:50", "UTC Time: 2016-10-04 16:47:50"),
        sample("hz: 49.87", "hz: 49,87Hz"),
        sample("hz: 49.87", "hz: 49.87hz"),
        sample("WiFi Strength: -62", "WiFi Strength: -62dBm"),
        sample("FFT Re: 9748;", "FFT Re: 9748.0;"),
        sample("Device: ID=1; Fw=16071801; Evt=2", "Device: Evt=2; ID=1; Fw=16071801"),
    ]

    @Test(arguments: equivalentLines)
    func equivalentLine(_ line: String) throws {
        let expected = try parser.parse(sampleLine)
        let event = try parser.parse(line)
        #expect(event == expected)
        #expect(event.features.bits == expected.features.bits)
    }

    @Test func dummyIsOptional() throws {
        let event = try parser.parse(sample("; Dummy: 20", ""))
        #expect(event.dummy == nil)
    }

    @Test func unknownSectionsAreKept() throws {
        let line = "Temperature: 21,5 C ;; " + sampleLine + "; Note: a=b; c: d; Empty: ;"
        let event = try parser.parse(line)
        #expect(
            event.extra == [
                ExtraSection(name: "Temperature", value: "21,5 C"),
                ExtraSection(name: "Note", value: "a=b"),
                ExtraSection(name: "c", value: "d"),
                ExtraSection(name: "Empty", value: ""),
            ])
        #expect(event.activePower == 1753)
    }

    /// Decimals against the standard library's correctly rounded conversion of the same text.
    /// (Not against Swift literals: the compiler rounds some long literals differently.)
    @Test(arguments: [
        ".5", "5.", "-,5", "+2,25", "007", "0.1", "123456789012345678901234567890",
        "0.000000000000000000000000000001", "9007199254740993", "2.2250738585072011",
        // Halfway between two doubles, and just either side: ties go to the even one.
        "2251799813685248.25", "2251799813685248.75", "1125899906842624.125", "1125899906842624.375",
        "1125899906842624.1250000001", "1125899906842624.1249999999", "4503599627370496.5", "4503599627370497.5",
        "9.392000200000001", "0.9999999999999999999", "18446744073709551615", "1.8446744073709551615",
        "7.311999799999999", "-43,841",
    ])
    func number(_ text: String) throws {
        let expected = try #require(Double(text.replacing(",", with: ".")))
        let event = try parser.parse(sample("hz: 49.87", "hz: \(text)"))
        #expect(event.frequency.bitPattern == expected.bitPattern)
    }

    @Test func signsAndExtremes() throws {
        #expect(try parser.parse(sample("hz: 49.87", "hz: 0.1")).frequency == 0.1)
        let negativeZero = try parser.parse(sample("Phase=-43,841rad", "Phase=-0,0rad"))
        #expect(negativeZero.phase.bitPattern == (-0.0).bitPattern)
        let extremes = try parser.parse(sample("Dummy: 20", "Dummy: -9223372036854775808"))
        #expect(extremes.dummy == .min)
        let maximum = try parser.parse(sample("ID=1", "ID=9223372036854775807"))
        #expect(maximum.deviceID == .max)
    }

    @Test func datesWithAndWithoutLeadingZeros() throws {
        let early = try parser.parse(sample("2016-10-4 16:47:50", "2016-1-2 3:04:05"))
        #expect(early.measuredAt.iso8601 == "2016-01-02T03:04:05Z")
        let padded = try parser.parse(sample("2016-10-4 16:47:50", "2016-01-02 03:04:05"))
        #expect(padded.measuredAt == early.measuredAt)
        let leapDay = try parser.parse(sample("2016-10-4 16:47:50", "2016-2-29 23:59:59"))
        #expect(leapDay.measuredAt.iso8601 == "2016-02-29T23:59:59Z")
    }

    @Test func tabIsAllowed() throws {
        let event = try parser.parse(sample("; Dummy: 20", ";\tDummy:\t20\t"))
        #expect(event.dummy == 20)
    }

    @Test func longestLineIsAccepted() throws {
        let padding = EventParser.maximumLineLength - sampleLine.utf8.count - "; Pad: ".utf8.count
        let line = sampleLine + "; Pad: " + String(repeating: "x", count: padding)
        #expect(line.utf8.count == EventParser.maximumLineLength)
        #expect(try parser.parse(line).extra.first?.value.utf8.count == padding)
        // The CR does not count.
        #expect(try parser.parse(line + "\r").extra.count == 1)
        #expect(parseError(Array((line + "x").utf8))?.description == "line: 16385 bytes, longer than the 16384 allowed")
    }

    @Test func nonASCIITextIsAllowedWhereTextIsFree() throws {
        let event = try parser.parse(sampleLine + "; Ort: Küche 🏠")
        #expect(event.extra == [ExtraSection(name: "Ort", value: "Küche 🏠")])
    }

    /// Lines that must be rejected, and the exact message.
    static let rejectedLines: [(String, String)] = [
        // The texts the issue asks for.
        (sample("Active=1753W", "Active=1x1753W"), #"Power.Active: expected a number with unit W, got "1x1753W""#),
        (sample(" Current=7.35900021;", ""), "Line.Current: missing"),
        (sample("Peaks: 7.33199978;7.311999799999999;7.53000021;7.48400021;7.54300022;7.62900019;7.36499977;"
            + "7.28599977;7.37200022;7.31899977;", "Peaks: ;"), "Peaks: need at least 3 values, got 0"),
        // Integers.
        (sample("ID=1", "ID=1a2"), #"Device.ID: expected an integer, got "1a2""#),
        (sample("Fw=16071801", "Fw=1607.1801"), #"Device.Fw: expected an integer, got "1607.1801""#),
        (sample("Evt=2", "Evt=2W"), #"Device.Evt: expected an integer, got "2W""#),
        (sample("Evt=2", "Evt="), #"Device.Evt: expected an integer, got """#),
        (sample("Evt=2", "Evt=-"), #"Device.Evt: expected an integer, got "-""#),
        (sample("Dummy: 20", "Dummy: 9223372036854775808"),
            #"Dummy: integer out of range, got "9223372036854775808""#),
        (sample("Dummy: 20", "Dummy: 20dBm"), #"Dummy: expected an integer, got "20dBm""#),
        (sample("Dummy: 20", "Dummy: 20; 21"), #"Dummy: expected an integer, got "20; 21""#),
        (sample("WiFi Strength: -62", "WiFi Strength: -62.5"),
            #"WiFi Strength: expected an integer with unit dBm, got "-62.5""#),
        (sample("WiFi Strength: -62", "WiFi Strength: -62 dBm"),
            #"WiFi Strength: expected an integer with unit dBm, got "-62 dBm""#),
        // Decimals and units.
        (
            sample("Voltage=230.08V", "Voltage=230.08kV"),
            #"Line.Voltage: expected a number with unit V, got "230.08kV""#
        ),
        (sample("Voltage=230.08V", "Voltage=230.08W"), #"Line.Voltage: expected a number with unit V, got "230.08W""#),
        (sample("Voltage=230.08V", "Voltage=V"), #"Line.Voltage: expected a number with unit V, got "V""#),
        (sample("Voltage=230.08V", "Voltage=."), #"Line.Voltage: expected a number with unit V, got ".""#),
        (sample("Voltage=230.08V", "Voltage=1.2.3V"), #"Line.Voltage: expected a number with unit V, got "1.2.3V""#),
        (sample("Voltage=230.08V", "Voltage=inf"), #"Line.Voltage: expected a number with unit V, got "inf""#),
        (sample("Voltage=230.08V", "Voltage=nan"), #"Line.Voltage: expected a number with unit V, got "nan""#),
        (sample("Voltage=230.08V", "Voltage=0x1p3"), #"Line.Voltage: expected a number with unit V, got "0x1p3""#),
        (sample("Voltage=230.08V", "Voltage=2.3008e2V"),
            #"Line.Voltage: expected a number with unit V, got "2.3008e2V""#),
        (sample("Voltage=230.08V", "Voltage=--230"), #"Line.Voltage: expected a number with unit V, got "--230""#),
        (sample("Phase=-43,841rad", "Phase=-43.841,5rad"),
            #"Line.Phase: both "." and "," as decimal separator, got "-43.841,5rad""#),
        (sample("Active=1753W", "Active=1" + String(repeating: "0", count: 400) + "W"),
            #"Power.Active: number out of range, got ""# + "1" + String(repeating: "0", count: 63)
            + #"…" (402 bytes)"#),
        (sample("Reactive=279var", "Reactive=279 var"),
            #"Power.Reactive: expected a number with unit var, got "279 var""#),
        (sample("Appearent=403VA", "Appearent="), #"Power.Appearent: expected a number with unit VA, got """#),
        (sample("hz: 49.87", "hz: "), #"hz: expected a number with unit Hz, got """#),
        (sample("hz: 49.87", "hz: ;"), #"hz: expected a number with unit Hz, got """#),
        (sample("hz: 49.87", "hz:"), #"hz: expected a number with unit Hz, got """#),
        (sample("hz: 49.87", "hz: 49.87kHz"), #"hz: expected a number with unit Hz, got "49.87kHz""#),
        (sample("hz: 49.87", "hz: 49.87; 50"), #"hz: expected a number with unit Hz, got "49.87; 50""#),
        // Alarms.
        (sample("CoilRevesed=OFF", "CoilRevesed=MAYBE"), #"Alarms.CoilRevesed: expected ON or OFF, got "MAYBE""#),
        (sample("CoilRevesed=OFF", "CoilRevesed=1"), #"Alarms.CoilRevesed: expected ON or OFF, got "1""#),
        // Lists.
        (sample("Peaks: 7.33199978;", "Peaks: 7.3x;"), #"Peaks: expected a number, got "7.3x" (value 1)"#),
        (sample(";7.53000021;", ";7.53000021A;"), #"Peaks: expected a number, got "7.53000021A" (value 3)"#),
        (sample("7.311999799999999;", "7.311999799999999;;"), #"Peaks: empty item between two ";""#),
        (sample("Peaks: 7.33199978;", "Peaks: ;7.33199978;"), #"Peaks: empty item between two ";""#),
        (sample("Peaks: 7.33199978;7.311999799999999;7.53000021;7.48400021;7.54300022;7.62900019;7.36499977;"
            + "7.28599977;7.37200022;7.31899977;", "Peaks: 1;2;"), "Peaks: need at least 3 values, got 2"),
        (sample("FFT Re: 9748;46;303;33;52;19;19;39;-455;", "FFT Re:;"), "FFT Re: need at least 1 value, got 0"),
        (sample("FFT Img: 2712;", "FFT Img: "), "FFT Img: 8 values but FFT Re has 9"),
        (sample("FFT Img: 2712;", "FFT Img: 1;2;"), "FFT Img: 10 values but FFT Re has 9"),
        (sample("FFT Re: 9748;", "FFT Re: 1,5,5;"), #"FFT Re: expected a number, got "1,5,5" (value 1)"#),
        // Dates.
        (sample("2016-10-4 16:47:50", "2016-2-30 10:00:00"),
            #"UTC Time: not a real date and time, got "2016-2-30 10:00:00""#),
        (sample("2016-10-4 16:47:50", "2015-2-29 10:00:00"),
            #"UTC Time: not a real date and time, got "2015-2-29 10:00:00""#),
        (sample("2016-10-4 16:47:50", "2016-13-4 16:47:50"),
            #"UTC Time: not a real date and time, got "2016-13-4 16:47:50""#),
        (sample("2016-10-4 16:47:50", "2016-10-4 24:00:00"),
            #"UTC Time: not a real date and time, got "2016-10-4 24:00:00""#),
        (sample("2016-10-4 16:47:50", "2016-10-4 16:47:60"),
            #"UTC Time: not a real date and time, got "2016-10-4 16:47:60""#),
        (sample("2016-10-4 16:47:50", "2016-10-0 16:47:50"),
            #"UTC Time: not a real date and time, got "2016-10-0 16:47:50""#),
        (sample("2016-10-4 16:47:50", "2016-10-4T16:47:50"),
            #"UTC Time: expected YYYY-M-D H:MM:SS, got "2016-10-4T16:47:50""#),
        (sample("2016-10-4 16:47:50", "16-10-4 16:47:50"),
            #"UTC Time: expected YYYY-M-D H:MM:SS, got "16-10-4 16:47:50""#),
        (sample("2016-10-4 16:47:50", "2016-10-4 16:7:50"),
            #"UTC Time: expected YYYY-M-D H:MM:SS, got "2016-10-4 16:7:50""#),
        (sample("2016-10-4 16:47:50", "2016-100-4 16:47:50"),
            #"UTC Time: expected YYYY-M-D H:MM:SS, got "2016-100-4 16:47:50""#),
        (sample("2016-10-4 16:47:50", "2016-10-4 16:47:50Z"),
            #"UTC Time: expected YYYY-M-D H:MM:SS, got "2016-10-4 16:47:50Z""#),
        // Sections and keys.
        (sample("Line: Current=7.35900021; Voltage=230.08V; Phase=-43,841rad; ", ""), "Line: missing"),
        (sample(" ID=1;", ""), "Device.ID: missing"),
        (sample("Device: ID=1; Fw=16071801; Evt=2; ", ""), "Device: missing"),
        (sample("hz: 49.87; ", ""), "hz: missing"),
        (sample("WiFi Strength: -62; ", ""), "WiFi Strength: missing"),
        (sample("UTC Time: 2016-10-4 16:47:50; ", ""), "UTC Time: missing"),
        (sample("FFT Img: 2712;6;-792;-59;1386;-19;963;33;462; ", ""), "FFT Img: missing"),
        (sample("Active=1753W; ", ""), "Power.Active: missing"),
        (sample("Appearent=403VA", "Apparent=403VA"), "Power.Apparent: unknown key"),
        (sample("Active=1753W", "Active=1753W; Foo=1"), "Power.Foo: unknown key"),
        (sample("ID=1", "id=1"), "Device.id: unknown key"),
        (sample("Active=1753W", "Active=1753W; Active=1W"), "Power.Active: appears twice"),
        (sampleLine + "; Power: Active=1W", "Power: appears twice"),
        (sampleLine + "; Dummy: 21", "Dummy: appears twice"),
        (sampleLine + "; Note: a; Note: b", "Note: appears twice"),
        (sample("Active=1753W", "1753W"), #"Power: expected Key=value, got "1753W""#),
        (sample("Active=1753W", "=1753W"), #"Power: expected Key=value, got "=1753W""#),
        (sample("Active=1753W", "Act ive=1753W"), #"Power: expected Key=value, got "Act ive=1753W""#),
        (sample("ID=1;", "ID=1;;"), #"Device: empty item between two ";""#),
        (sample("Device: ID=1", "Device ID=1"), #"line: expected a section name at the start, got "Device ID=1""#),
        ("garbage; " + sampleLine, #"line: expected a section name at the start, got "garbage""#),
        (sample("Power: ", "Power:"), #"Alarms: expected Key=value, got "Power:Active=1753W""#),
        // The line as a whole.
        ("", "line: empty"),
        ("\r", "line: empty"),
        (" \t ", "line: empty"),
        (sample("ID=1", "ID=1\r"), "line: control character 0x0D at byte 12"),
        (sampleLine + "\r\r", "line: control character 0x0D at byte \(sampleLine.utf8.count)"),
        (sample("Device", "\u{1B}Device"), "line: control character 0x1B at byte 0"),
        (sample("Dummy: 20", "Dummy: 2\u{7F}0"), "line: control character 0x7F at byte \(sampleLine.utf8.count - 1)"),
        (sample("Dummy: 20", "Dummy: 2\u{85}0"), "line: control character U+0085 at byte \(sampleLine.utf8.count - 1)"),
        (sample("Dummy: 20", "Dummy: 2\n0"), "line: control character 0x0A at byte \(sampleLine.utf8.count - 1)"),
    ]

    @Test(arguments: rejectedLines)
    func rejectedLine(_ line: String, _ message: String) {
        #expect(parseError(Array(line.utf8))?.description == message)
    }

    /// Byte strings that are not valid UTF-8, and the offset of the first bad sequence.
    static let invalidUTF8: [([UInt8], Int)] = {
        let line = Array(sampleLine.utf8)
        func with(_ bytes: [UInt8], at offset: Int) -> [UInt8] {
            var copy = line
            copy.insert(contentsOf: bytes, at: offset)
            return copy
        }
        return [
            (with([0xFF], at: 213), 213),
            (with([0x80], at: 0), 0),
            (with([0xC3], at: 40), 40),  // a lead byte without its continuation
            (with([0xC0, 0x80], at: 41), 41),  // an overlong NUL
            (with([0xE0, 0x80, 0x80], at: 42), 42),  // an overlong three-byte form
            (with([0xED, 0xA0, 0x80], at: 43), 43),  // a surrogate
            (with([0xF4, 0x90, 0x80, 0x80], at: 44), 44),  // beyond U+10FFFF
            (with([0xF8, 0x88, 0x80, 0x80, 0x80], at: 45), 45),
            (with([0xC3, 0xA4, 0xE2, 0x82], at: 46), 48),  // a valid "ä", then a cut three-byte form
            (line + [0xE2, 0x82], line.count),  // cut at the end of the line
        ]
    }()

    @Test(arguments: invalidUTF8)
    func invalidUTF8IsRejected(_ line: [UInt8], _ offset: Int) {
        #expect(parseError(line)?.description == "line: not valid UTF-8 at byte \(offset)")
    }

    @Test func overlongLineIsRejectedBeforeAnythingElse() {
        var line = Array(sampleLine.utf8)
        line += Array(repeating: 0xFF, count: 70012 - line.count)
        #expect(parseError(line)?.description == "line: 70012 bytes, longer than the 16384 allowed")
        #expect(parseError(line + [0x0D])?.description == "line: 70012 bytes, longer than the 16384 allowed")
    }

    @Test func parsesFromABufferWithoutCopying() throws {
        let bytes = Array((sampleLine + "\r").utf8)
        let event = try bytes.withUnsafeBufferPointer { buffer in try parser.parse(buffer) }
        #expect(event == (try parser.parse(sampleLine)))
    }
}
