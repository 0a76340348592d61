import SensorFormat
import Testing

/// A small fixed-seed generator (SplitMix64), so that every run tries the same inputs.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct PropertyTests {
    let parser = EventParser()

    /// Bytes that matter to the format, so that mutations often make near-misses.
    static let interestingBytes: [UInt8] =
        Array(";:=,.- +0123456789ADEFVWaerxz\t\r".utf8) + [0x00, 0x7F, 0x80, 0xC2, 0xC3, 0xE2, 0xFF]

    /// Text that matters to the format.
    static let interestingTokens: [[UInt8]] = [
        "; ", ";", ": ", "=", "Peaks: ", "; FFT Re: 1", "; FFT Img: 1;2", "; Dummy: 1", "Device: ID=1; ", "e5", "inf",
        "nan", "0x1p3", "99999999999999999999999", "1" + String(repeating: "0", count: 330),
        "0,000000000000000000000001",
        ".", ",", "-", "kV", "VA", "var", "rad", "UTC Time: 2016-2-29 0:00:00", "2016-2-30 1:00:00", "Extra: x",
        "é", "🏠", "\u{85}",
    ].map { Array($0.utf8) }

    /// Checks what the parser says about one input.
    /// - Returns: whether the parser accepted the input.
    @discardableResult
    func check(_ line: [UInt8]) -> Bool {
        switch Result(catching: { () throws(ParseError) in try parser.parse(line) }) {
        case .success(let event):
            #expect(event.features.allSatisfy { $0.isFinite }, "\(String(decoding: line, as: UTF8.self))")
            #expect(event.peaks.count >= 3)
            #expect(event.fftReal.count == event.fftImaginary.count && !event.fftReal.isEmpty)
            #expect([event.phase, event.frequency].allSatisfy { $0.isFinite })
            return true
        case .failure(let error):
            #expect(!error.field.isEmpty && !error.message.isEmpty, "\(String(decoding: line, as: UTF8.self))")
            return false
        }
    }

    static func mutate(_ line: inout [UInt8], _ random: inout SplitMix64) {
        func position(_ inclusiveEnd: Bool = false) -> Int {
            Int.random(in: 0...(inclusiveEnd ? line.count : max(line.count - 1, 0)), using: &random)
        }
        func span() -> Range<Int> {
            let start = position(true)
            let length = Int.random(in: 0...min(40, line.count - start), using: &random)
            return start..<(start + length)
        }
        switch Int.random(in: 0..<9, using: &random) {
        case 0 where !line.isEmpty:
            line[position()] = UInt8.random(in: 0...255, using: &random)
        case 1 where !line.isEmpty:
            line[position()] = interestingBytes.randomElement(using: &random)!
        case 2:
            line.removeSubrange(span())
        case 3:
            let count = Int.random(in: 1...8, using: &random)
            let bytes = (0..<count).map { _ in interestingBytes.randomElement(using: &random)! }
            line.insert(contentsOf: bytes, at: position(true))
        case 4:
            let copy = Array(line[span()])
            line.insert(contentsOf: copy, at: position(true))
        case 5:
            line.removeSubrange(position(true)...)
        case 6:
            var sections = line.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false).map(Array.init)
            if sections.count > 1 {
                let a = Int.random(in: 0..<sections.count, using: &random)
                let b = Int.random(in: 0..<sections.count, using: &random)
                sections.swapAt(a, b)
                line = Array(sections.joined(separator: [UInt8(ascii: ";")]))
            }
        case 7:
            line.insert(contentsOf: interestingTokens.randomElement(using: &random)!, at: position(true))
        default:
            let token = interestingTokens.randomElement(using: &random)!
            let range = span()
            line.replaceSubrange(range, with: token)
        }
    }

    @Test("100,000 mutations of real lines never crash the parser and give sane results")
    func mutationsOfRealLines() throws {
        let lines = try TestData.lines(TestData.fixtures.appendingPathComponent("household-3000.log"))
        let seeds = [Array(sampleLine.utf8)] + Array(lines.prefix(200))
        var random = SplitMix64(seed: 0x5EED_0001)
        var accepted = 0
        for _ in 0..<100_000 {
            var line = seeds.randomElement(using: &random)!
            for _ in 0..<Int.random(in: 1...4, using: &random) { Self.mutate(&line, &random) }
            if check(line) { accepted += 1 }
        }
        print("mutations: \(accepted) of 100000 still parse")
    }

    @Test("Random bytes never crash the parser")
    func randomBytes() {
        var random = SplitMix64(seed: 0x5EED_0002)
        for round in 0..<20_000 {
            let count = Int.random(in: 0...600, using: &random)
            let line: [UInt8] = (0..<count).map { _ in
                round % 2 == 0
                    ? UInt8.random(in: 0...255, using: &random) : Self.interestingBytes.randomElement(using: &random)!
            }
            check(line)
        }
    }

    @Test("Decimals come out as the standard library's correctly rounded conversion")
    func decimalsRoundCorrectly() throws {
        var random = SplitMix64(seed: 0x5EED_0003)
        let prefix = sampleLine.replacing("hz: 49.87", with: "hz: ")
        let digits = Array("0123456789".utf8)
        for _ in 0..<20_000 {
            var text: [UInt8] = []
            if Bool.random(using: &random) { text.append(UInt8(ascii: "-")) }
            var integerDigits = Int.random(in: 0...20, using: &random)
            var fractionDigits = Int.random(in: (integerDigits == 0 ? 1 : 0)...26, using: &random)
            if Bool.random(using: &random) {
                // 16 to 19 digits and at most 22 after the separator: the exact 128-bit path.
                let total = Int.random(in: 16...19, using: &random)
                fractionDigits = Int.random(in: 1...total, using: &random)
                integerDigits = total - fractionDigits
            }
            // Runs of zeros and nines make halfway and carry cases likelier.
            let pool: [UInt8] = [digits, Array("000".utf8), Array("999".utf8)].randomElement(using: &random)!
            func digit() -> UInt8 { (Bool.random(using: &random) ? digits : pool).randomElement(using: &random)! }
            for _ in 0..<integerDigits { text.append(digit()) }
            if fractionDigits > 0 || Bool.random(using: &random) { text.append(UInt8(ascii: ".")) }
            for _ in 0..<fractionDigits { text.append(digit()) }
            let dotted = String(decoding: text, as: UTF8.self)
            let expected = try #require(Double(dotted))
            let event = try parser.parse(prefix.replacing("hz: ", with: "hz: " + dotted.replacing(".", with: ",")))
            #expect(event.frequency.bitPattern == expected.bitPattern, "\(dotted)")
        }
    }
}
