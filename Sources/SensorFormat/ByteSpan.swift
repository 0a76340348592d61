/// A half-open range of bytes within the line being parsed.
///
/// The parser works on the line's bytes in place; a span turns into a `String` only for an
/// error message or an extra section.
struct ByteSpan {
    let base: UnsafePointer<UInt8>
    var start: Int
    var end: Int

    @inline(__always)
    init(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) {
        self.base = base
        self.start = start
        self.end = end
    }

    @inline(__always)
    var isEmpty: Bool { start >= end }

    @inline(__always)
    var count: Int { end - start }

    /// The span without leading and trailing spaces and tabs.
    @inline(__always)
    func trimmed() -> ByteSpan {
        var s = start
        var e = end
        while s < e, base[s] == ASCII.space || base[s] == ASCII.tab { s += 1 }
        while e > s, base[e - 1] == ASCII.space || base[e - 1] == ASCII.tab { e -= 1 }
        return ByteSpan(base, s, e)
    }

    /// Whether the span holds exactly the bytes of `literal`.
    @inline(__always)
    func equals(_ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard n == count else { return false }
        let other = literal.utf8Start
        for k in 0..<n where base[start + k] != other[k] { return false }
        return true
    }

    /// Whether the span holds the bytes of the ASCII `literal`, ignoring the case of letters.
    @inline(__always)
    func equalsIgnoringCase(_ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard n == count else { return false }
        let other = literal.utf8Start
        for k in 0..<n where ASCII.lowercased(base[start + k]) != ASCII.lowercased(other[k]) { return false }
        return true
    }

    /// The bytes as a string; the line has been checked to be valid UTF-8 before any span exists.
    var string: String {
        String(decoding: UnsafeBufferPointer(start: base + start, count: count), as: UTF8.self)
    }

    /// The bytes in double quotes for an error message, cut short after 64 bytes.
    var quoted: String {
        let limit = 64
        guard count > limit else { return "\"\(string)\"" }
        // Cut on a character boundary: back up over UTF-8 continuation bytes.
        var cut = start + limit
        while cut > start, base[cut] & 0xC0 == 0x80 { cut -= 1 }
        return "\"\(ByteSpan(base, start, cut).string)…\" (\(count) bytes)"
    }
}

/// The ASCII bytes the parser looks for.
enum ASCII {
    static let tab: UInt8 = 0x09
    static let space: UInt8 = 0x20
    static let plus: UInt8 = 0x2B
    static let comma: UInt8 = 0x2C
    static let minus: UInt8 = 0x2D
    static let dot: UInt8 = 0x2E
    static let zero: UInt8 = 0x30
    static let colon: UInt8 = 0x3A
    static let semicolon: UInt8 = 0x3B
    static let equals: UInt8 = 0x3D

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte &- zero < 10 }

    @inline(__always)
    static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) &- 0x61 < 26 }

    @inline(__always)
    static func lowercased(_ byte: UInt8) -> UInt8 { byte &- 0x41 < 26 ? byte | 0x20 : byte }
}
