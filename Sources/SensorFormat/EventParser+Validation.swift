extension EventParser {
    /// Checks that a line is well-formed UTF-8 without control characters other than TAB.
    ///
    /// Offsets in the messages are 0-based byte offsets from the start of the line, and point at
    /// the first byte of the offending sequence (as Python's `UnicodeDecodeError.start` does).
    /// Control characters are C0 (0x00–0x1F except TAB), DEL (0x7F) and C1 (U+0080–U+009F).
    /// - Throws: ``ParseError`` with the field `line`.
    @inline(__always)
    static func validate(_ base: UnsafePointer<UInt8>, count: Int) throws(ParseError) {
        var i = 0
        // Eight bytes at a time while they are all printable ASCII, the usual case.
        let raw = UnsafeRawPointer(base)
        while i + 8 <= count {
            let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let high: UInt64 = 0x8080_8080_8080_8080
            let ones: UInt64 = 0x0101_0101_0101_0101
            // A byte below 0x20 (or any byte with its high bit set) makes its lane's bit show up
            // in `below`; a byte equal to 0x7F makes its lane's bit show up in `delete`.
            let below = (word &- 0x20 &* ones) & ~word & high
            let deleteLanes = word ^ (0x7F &* ones)
            let delete = (deleteLanes &- ones) & ~deleteLanes & high
            if (word & high) | below | delete != 0 { break }
            i += 8
        }
        while i < count {
            let byte = base[i]
            if byte >= 0x20 && byte < 0x7F {
                i += 1
                continue
            }
            if byte == ASCII.tab {
                i += 1
                continue
            }
            if byte < 0x80 { throw controlCharacter(byte, at: i) }
            let length = sequenceLength(base, i, count)
            guard length > 0 else {
                throw ParseError(field: "line", message: "not valid UTF-8 at byte \(i)")
            }
            if byte == 0xC2 && base[i + 1] < 0xA0 {
                let scalar = UInt32(base[i + 1])
                throw ParseError(field: "line", message: "control character U+00\(hex(UInt8(scalar))) at byte \(i)")
            }
            i += length
        }
    }

    /// The length of the well-formed UTF-8 sequence starting with a non-ASCII byte at `i`, or 0.
    @inline(__always)
    private static func sequenceLength(_ base: UnsafePointer<UInt8>, _ i: Int, _ count: Int) -> Int {
        @inline(__always) func continuation(_ k: Int, _ low: UInt8 = 0x80, _ high: UInt8 = 0xBF) -> Bool {
            k < count && base[k] >= low && base[k] <= high
        }
        let lead = base[i]
        switch lead {
        case 0xC2...0xDF:
            return continuation(i + 1) ? 2 : 0
        case 0xE0:
            return continuation(i + 1, 0xA0) && continuation(i + 2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF:
            return continuation(i + 1) && continuation(i + 2) ? 3 : 0
        case 0xED:
            return continuation(i + 1, 0x80, 0x9F) && continuation(i + 2) ? 3 : 0
        case 0xF0:
            return continuation(i + 1, 0x90) && continuation(i + 2) && continuation(i + 3) ? 4 : 0
        case 0xF1...0xF3:
            return continuation(i + 1) && continuation(i + 2) && continuation(i + 3) ? 4 : 0
        case 0xF4:
            return continuation(i + 1, 0x80, 0x8F) && continuation(i + 2) && continuation(i + 3) ? 4 : 0
        default:
            return 0
        }
    }

    private static func controlCharacter(_ byte: UInt8, at offset: Int) -> ParseError {
        ParseError(field: "line", message: "control character 0x\(hex(byte)) at byte \(offset)")
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }
}
