/// The result object of the clustering protocol, as read back by the agent.
public struct ClusterResult: Equatable, Sendable {
    /// One label per input row; -1 for a row near no center.
    public var labels: [Int]
    public var bandwidth: Double
    /// The centers, indexed by label.
    public var clusterCenters: [[Double]]
    public var iterations: Int
    public var seconds: Double?

    /// Creates a result.
    public init(labels: [Int], bandwidth: Double, clusterCenters: [[Double]], iterations: Int, seconds: Double?) {
        self.labels = labels
        self.bandwidth = bandwidth
        self.clusterCenters = clusterCenters
        self.iterations = iterations
        self.seconds = seconds
    }
}

extension ClusterResultJSON {
    /// Reads a result object; numbers are converted with correct rounding, so a double written
    /// in its shortest form reads back bit for bit. Unknown members are ignored.
    /// - Throws: ``ClusterProtocolError`` of kind `badResult` naming what is wrong.
    public static func decode(_ bytes: [UInt8]) throws(ClusterProtocolError) -> ClusterResult {
        var reader = JSONReader(bytes: bytes)
        let value: JSONReader.Value
        do throws(JSONReader.Failure) {
            value = try reader.document()
        } catch {
            throw ClusterProtocolError(.badResult, "the result is not valid JSON: \(error.reason) at byte \(error.offset)")
        }
        guard case .object(let members) = value else {
            throw ClusterProtocolError(.badResult, "the result is not a JSON object")
        }
        func member(_ name: String) -> JSONReader.Value? { members.last { $0.0 == name }?.1 }
        func bad(_ text: String) -> ClusterProtocolError { ClusterProtocolError(.badResult, text) }
        guard case .array(let labelValues)? = member("labels") else { throw bad("\"labels\" is missing or not a list") }
        var labels: [Int] = []
        labels.reserveCapacity(labelValues.count)
        for value in labelValues {
            guard case .number(let text) = value, let label = Int(text) else {
                throw bad("\"labels\" holds something other than integers")
            }
            labels.append(label)
        }
        guard case .number(let bandwidthText)? = member("bandwidth"), let bandwidth = Double(bandwidthText) else {
            throw bad("\"bandwidth\" is missing or not a number")
        }
        guard case .array(let centerValues)? = member("cluster_centers") else {
            throw bad("\"cluster_centers\" is missing or not a list")
        }
        var centers: [[Double]] = []
        for center in centerValues {
            guard case .array(let coordinates) = center else { throw bad("a cluster center is not a list") }
            var values: [Double] = []
            for coordinate in coordinates {
                guard case .number(let text) = coordinate, let number = Double(text) else {
                    throw bad("a cluster center holds something other than numbers")
                }
                values.append(number)
            }
            centers.append(values)
        }
        var iterations = 0
        if case .number(let text)? = member("n_iter") {
            guard let value = Int(text) else { throw bad("\"n_iter\" is not an integer") }
            iterations = value
        }
        var seconds: Double?
        if case .number(let text)? = member("seconds") { seconds = Double(text) }
        return ClusterResult(
            labels: labels, bandwidth: bandwidth, clusterCenters: centers, iterations: iterations, seconds: seconds)
    }
}

/// A small JSON reader: numbers are kept as their text so that the caller converts them.
struct JSONReader {
    indirect enum Value {
        case object([(String, Value)])
        case array([Value])
        case string(String)
        case number(String)
        case bool(Bool)
        case null
    }

    struct Failure: Error {
        var reason: String
        var offset: Int
    }

    let bytes: [UInt8]
    var offset = 0
    var depth = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Reads one value followed only by white space.
    mutating func document() throws(Failure) -> Value {
        let value = try self.value()
        skipSpace()
        guard offset == bytes.count else { throw Failure(reason: "unexpected text after the value", offset: offset) }
        return value
    }

    private mutating func skipSpace() {
        while offset < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[offset]) { offset += 1 }
    }

    private mutating func value() throws(Failure) -> Value {
        skipSpace()
        guard offset < bytes.count else { throw Failure(reason: "unexpected end", offset: offset) }
        switch bytes[offset] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return .number(try number())
        }
    }

    private mutating func nested<T>(_ body: (inout JSONReader) throws(Failure) -> T) throws(Failure) -> T {
        depth += 1
        defer { depth -= 1 }
        guard depth <= 64 else { throw Failure(reason: "nested too deeply", offset: offset) }
        return try body(&self)
    }

    private mutating func object() throws(Failure) -> Value {
        try nested { (reader: inout JSONReader) throws(Failure) -> Value in
            reader.offset += 1
            var members: [(String, Value)] = []
            reader.skipSpace()
            if reader.peek == UInt8(ascii: "}") {
                reader.offset += 1
                return .object(members)
            }
            while true {
                reader.skipSpace()
                guard reader.peek == UInt8(ascii: "\"") else { throw Failure(reason: "expected a member name", offset: reader.offset) }
                let name = try reader.string()
                reader.skipSpace()
                guard reader.peek == UInt8(ascii: ":") else { throw Failure(reason: "expected ':'", offset: reader.offset) }
                reader.offset += 1
                members.append((name, try reader.value()))
                reader.skipSpace()
                switch reader.peek {
                case UInt8(ascii: ","): reader.offset += 1
                case UInt8(ascii: "}"):
                    reader.offset += 1
                    return .object(members)
                default: throw Failure(reason: "expected ',' or '}'", offset: reader.offset)
                }
            }
        }
    }

    private mutating func array() throws(Failure) -> Value {
        try nested { (reader: inout JSONReader) throws(Failure) -> Value in
            reader.offset += 1
            var elements: [Value] = []
            reader.skipSpace()
            if reader.peek == UInt8(ascii: "]") {
                reader.offset += 1
                return .array(elements)
            }
            while true {
                elements.append(try reader.value())
                reader.skipSpace()
                switch reader.peek {
                case UInt8(ascii: ","): reader.offset += 1
                case UInt8(ascii: "]"):
                    reader.offset += 1
                    return .array(elements)
                default: throw Failure(reason: "expected ',' or ']'", offset: reader.offset)
                }
            }
        }
    }

    private var peek: UInt8? { offset < bytes.count ? bytes[offset] : nil }

    private mutating func literal(_ word: String) throws(Failure) {
        let expected = Array(word.utf8)
        guard offset + expected.count <= bytes.count, Array(bytes[offset..<(offset + expected.count)]) == expected else {
            throw Failure(reason: "unexpected character", offset: offset)
        }
        offset += expected.count
    }

    /// Reads a string as RFC 8259 has it: valid UTF-8, no raw control characters, only the
    /// escapes it names, `\\u` with four hex digits and surrogate pairs joined (a lone surrogate
    /// reads as U+FFFD).
    private mutating func string() throws(Failure) -> String {
        offset += 1
        var scalars = String.UnicodeScalarView()
        var runStart = offset
        func flush(_ end: Int) throws(Failure) {
            guard runStart < end else { return }
            guard let text = String(validating: bytes[runStart..<end], as: UTF8.self) else {
                throw Failure(reason: "invalid UTF-8 in a string", offset: runStart)
            }
            scalars.append(contentsOf: text.unicodeScalars)
        }
        while offset < bytes.count {
            let byte = bytes[offset]
            switch byte {
            case UInt8(ascii: "\""):
                try flush(offset)
                offset += 1
                return String(scalars)
            case UInt8(ascii: "\\"):
                try flush(offset)
                offset += 1
                guard offset < bytes.count else { break }
                let escape = bytes[offset]
                offset += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(Unicode.Scalar(escape))
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "u"):
                    let code = try hexQuad()
                    if (0xD800...0xDBFF).contains(code), offset + 1 < bytes.count,
                        bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u")
                    {
                        let resume = offset
                        offset += 2
                        let low = try hexQuad()
                        if (0xDC00...0xDFFF).contains(low) {
                            scalars.append(Unicode.Scalar(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00))!)
                            break
                        }
                        offset = resume
                    }
                    scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
                default:
                    throw Failure(reason: "bad escape", offset: offset - 2)
                }
                runStart = offset
            case 0..<0x20:
                throw Failure(reason: "control character in a string", offset: offset)
            default:
                offset += 1
            }
        }
        throw Failure(reason: "unterminated string", offset: offset)
    }

    /// The four hex digits of a `\\u` escape.
    private mutating func hexQuad() throws(Failure) -> UInt32 {
        guard offset + 4 <= bytes.count else { throw Failure(reason: "bad \\u escape", offset: offset) }
        var code: UInt32 = 0
        for byte in bytes[offset..<(offset + 4)] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw Failure(reason: "bad \\u escape", offset: offset)
            }
            code = code << 4 | UInt32(digit)
        }
        offset += 4
        return code
    }

    /// Reads a number as RFC 8259 writes it (`-? (0 | [1-9] digits) (. digits)? ([eE] [+-]? digits)?`)
    /// whose value is a finite double; returns its text.
    private mutating func number() throws(Failure) -> String {
        let start = offset
        func digits() -> Int {
            let first = offset
            while offset < bytes.count, bytes[offset] &- UInt8(ascii: "0") < 10 { offset += 1 }
            return offset - first
        }
        func take(_ byte: UInt8) -> Bool {
            guard offset < bytes.count, bytes[offset] == byte else { return false }
            offset += 1
            return true
        }
        _ = take(UInt8(ascii: "-"))
        var valid = true
        if take(UInt8(ascii: "0")) {
            // A leading zero is the whole integer part.
        } else {
            valid = digits() > 0
        }
        if valid, take(UInt8(ascii: ".")) { valid = digits() > 0 }
        if valid, take(UInt8(ascii: "e")) || take(UInt8(ascii: "E")) {
            if !take(UInt8(ascii: "+")) { _ = take(UInt8(ascii: "-")) }
            valid = digits() > 0
        }
        guard offset > start else { throw Failure(reason: "unexpected character", offset: offset) }
        let numberBytes = "0123456789+-.eE".utf8
        guard valid, offset == bytes.count || !numberBytes.contains(bytes[offset]) else {
            // The message shows the whole would-be number, not only its valid start.
            while offset < bytes.count, numberBytes.contains(bytes[offset]) { offset += 1 }
            throw Failure(reason: "bad number \"\(String(decoding: bytes[start..<offset], as: UTF8.self))\"", offset: start)
        }
        let text = String(decoding: bytes[start..<offset], as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw Failure(reason: "number out of range \"\(text)\"", offset: start)
        }
        return text
    }
}
