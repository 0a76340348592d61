/// The header dictionary of a `.npy` file, a Python literal such as
/// `{'descr': '<f8', 'fortran_order': False, 'shape': (1000, 8), }`.
struct NpyHeader {
    var descr = ""
    var fortranOrder = false
    var shape: [Int] = []

    var shapeText: String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }

    init(_ text: String) throws {
        var scanner = Scanner(Array(text.utf8))
        var seen = Set<String>()
        try scanner.expect(UInt8(ascii: "{"))
        while true {
            scanner.skipSpaces()
            if scanner.take(UInt8(ascii: "}")) { break }
            let key = try scanner.string()
            try scanner.expect(UInt8(ascii: ":"))
            switch key {
            case "descr": descr = try scanner.string()
            case "fortran_order": fortranOrder = try scanner.boolean()
            case "shape": shape = try scanner.tuple()
            default: throw Self.bad("unexpected key '\(key)'")
            }
            seen.insert(key)
            scanner.skipSpaces()
            if scanner.take(UInt8(ascii: ",")) { continue }
            try scanner.expect(UInt8(ascii: "}"))
            break
        }
        for key in ["descr", "fortran_order", "shape"] where !seen.contains(key) {
            throw Self.bad("the key '\(key)' is missing")
        }
        scanner.skipSpaces()
        guard scanner.atEnd else { throw Self.bad("unexpected text after the dictionary") }
    }

    static func bad(_ why: String) -> ClusterProtocolError {
        ClusterProtocolError(.badHeader, "the .npy header is malformed: \(why)")
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { index >= bytes.count }

        mutating func skipSpaces() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0a || bytes[index] == 0x09 {
                index += 1
            }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            skipSpaces()
            if index < bytes.count, bytes[index] == byte {
                index += 1
                return true
            }
            return false
        }

        mutating func expect(_ byte: UInt8) throws {
            guard take(byte) else { throw NpyHeader.bad("expected '\(Character(Unicode.Scalar(byte)))'") }
        }

        mutating func string() throws -> String {
            skipSpaces()
            guard index < bytes.count, bytes[index] == 0x27 || bytes[index] == 0x22 else {
                throw NpyHeader.bad("expected a quoted string")
            }
            let quote = bytes[index]
            index += 1
            let start = index
            while index < bytes.count, bytes[index] != quote { index += 1 }
            guard index < bytes.count else { throw NpyHeader.bad("unterminated string") }
            defer { index += 1 }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        mutating func boolean() throws -> Bool {
            skipSpaces()
            for (word, value) in [("True", true), ("False", false)] {
                let utf8 = Array(word.utf8)
                if index + utf8.count <= bytes.count, Array(bytes[index..<(index + utf8.count)]) == utf8 {
                    index += utf8.count
                    return value
                }
            }
            throw NpyHeader.bad("expected True or False")
        }

        mutating func tuple() throws -> [Int] {
            try expect(UInt8(ascii: "("))
            var values: [Int] = []
            while true {
                skipSpaces()
                if take(UInt8(ascii: ")")) { return values }
                let start = index
                while index < bytes.count, (0x30...0x39).contains(bytes[index]) { index += 1 }
                if index < bytes.count, bytes[index] == UInt8(ascii: "L") { index += 1 }
                guard let value = Int(String(decoding: bytes[start..<index].filter { $0 != UInt8(ascii: "L") }, as: UTF8.self)) else {
                    throw NpyHeader.bad("expected a whole number in the shape")
                }
                values.append(value)
                if take(UInt8(ascii: ",")) { continue }
                try expect(UInt8(ascii: ")"))
                return values
            }
        }
    }
}
