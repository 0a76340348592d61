import MeanShift

/// Fuzz target for `ClusterResultJSON.decode`, compiled into the `ClusterProtocol` module.
///
/// Properties: the reader accepts only JSON as RFC 8259 defines it (checked by the small strict
/// recognizer below); every number it returns is finite; a decoded result written again with
/// `ClusterResultJSON.encode` decodes to the same result; and a result made from the input's
/// bytes (labels, finite centers, iterations) survives encode then decode exactly.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzResultJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    switch Result(catching: { () throws(ClusterProtocolError) in try ClusterResultJSON.decode(input) }) {
    case .success(let result):
        require(StrictJSON.isValid(input), "accepted text that is not JSON: \(escaped(input))")
        let numbers = [result.bandwidth] + result.clusterCenters.joined() + (result.seconds.map { [$0] } ?? [])
        require(numbers.allSatisfy(\.isFinite), "a non-finite number was returned from \(escaped(input))")
        if let seconds = result.seconds, numbers.allSatisfy(\.isFinite) {
            let text = ClusterResultJSON.encode(
                MeanShiftResult(labels: result.labels, clusterCenters: result.clusterCenters, iterations: result.iterations),
                bandwidth: result.bandwidth, seconds: seconds)
            let back = Result { () throws(ClusterProtocolError) in try ClusterResultJSON.decode(Array(text.utf8)) }
            require(back == .success(result), "decode(encode(r)) != r for \(text)")
        }
    case .failure(let error):
        require(error.kind == .badResult, "an error of kind \(error.kind)")
        require(!error.description.isEmpty, "an error without a description")
    }
    roundTrip(input)
    return 0
}

/// A result built from the bytes: 8-byte doubles make centers of 8, single bytes make labels.
private func roundTrip(_ input: [UInt8]) {
    var doubles: [Double] = []
    var index = 0
    while index + 8 <= input.count {
        var bits: UInt64 = 0
        for k in 0..<8 { bits |= UInt64(input[index + k]) << UInt64(8 * k) }
        let value = Double(bitPattern: bits)
        if value.isFinite { doubles.append(value) }
        index += 8
    }
    guard let bandwidth = doubles.first, let seconds = doubles.last else { return }
    let centers = stride(from: 0, to: doubles.count - doubles.count % 8, by: 8).map { Array(doubles[$0..<($0 + 8)]) }
    let labels = input.map { Int(Int8(bitPattern: $0)) }
    let iterations = input.count * 1000 - 7
    let text = ClusterResultJSON.encode(
        MeanShiftResult(labels: labels, clusterCenters: centers, iterations: iterations), bandwidth: bandwidth,
        seconds: seconds)
    let expected = ClusterResult(
        labels: labels, bandwidth: bandwidth, clusterCenters: centers, iterations: iterations, seconds: seconds)
    let back = Result { () throws(ClusterProtocolError) in try ClusterResultJSON.decode(Array(text.utf8)) }
    require(back == .success(expected), "encode then decode changed the result: \(text)")
    require(StrictJSON.isValid(Array(text.utf8)), "encode wrote text that is not JSON: \(text)")
}

/// A recognizer for RFC 8259 JSON text, kept apart from the reader under test.
private struct StrictJSON {
    let bytes: [UInt8]
    var i = 0
    var depth = 0

    static func isValid(_ bytes: [UInt8]) -> Bool {
        var parser = StrictJSON(bytes: bytes)
        guard parser.value() else { return false }
        parser.space()
        return parser.i == bytes.count
    }

    var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

    mutating func space() {
        while let b = peek, b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { i += 1 }
    }

    mutating func eat(_ byte: UInt8) -> Bool {
        guard peek == byte else { return false }
        i += 1
        return true
    }

    mutating func word(_ text: String) -> Bool {
        for byte in text.utf8 { guard eat(byte) else { return false } }
        return true
    }

    mutating func value() -> Bool {
        space()
        guard let b = peek else { return false }
        switch b {
        case UInt8(ascii: "{"):
            depth += 1
            defer { depth -= 1 }
            guard depth < 200 else { return false }
            i += 1
            space()
            if eat(UInt8(ascii: "}")) { return true }
            while true {
                space()
                guard string() else { return false }
                space()
                guard eat(UInt8(ascii: ":")), value() else { return false }
                space()
                if eat(UInt8(ascii: ",")) { continue }
                return eat(UInt8(ascii: "}"))
            }
        case UInt8(ascii: "["):
            depth += 1
            defer { depth -= 1 }
            guard depth < 200 else { return false }
            i += 1
            space()
            if eat(UInt8(ascii: "]")) { return true }
            while true {
                guard value() else { return false }
                space()
                if eat(UInt8(ascii: ",")) { continue }
                return eat(UInt8(ascii: "]"))
            }
        case UInt8(ascii: "\""): return string()
        case UInt8(ascii: "t"): return word("true")
        case UInt8(ascii: "f"): return word("false")
        case UInt8(ascii: "n"): return word("null")
        default: return number()
        }
    }

    mutating func digits() -> Int {
        var n = 0
        while let b = peek, b >= 0x30, b <= 0x39 {
            i += 1
            n += 1
        }
        return n
    }

    mutating func number() -> Bool {
        _ = eat(UInt8(ascii: "-"))
        if eat(UInt8(ascii: "0")) {
            // No more integer digits after a leading zero.
        } else {
            guard let b = peek, b >= 0x31, b <= 0x39 else { return false }
            _ = digits()
        }
        if eat(UInt8(ascii: ".")) { guard digits() > 0 else { return false } }
        if eat(UInt8(ascii: "e")) || eat(UInt8(ascii: "E")) {
            if !eat(UInt8(ascii: "+")) { _ = eat(UInt8(ascii: "-")) }
            guard digits() > 0 else { return false }
        }
        return true
    }

    mutating func string() -> Bool {
        guard eat(UInt8(ascii: "\"")) else { return false }
        let start = i
        while let b = peek {
            i += 1
            switch b {
            case UInt8(ascii: "\""):
                return String(validating: bytes[start..<(i - 1)], as: UTF8.self) != nil
            case UInt8(ascii: "\\"):
                guard let e = peek else { return false }
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    break
                case UInt8(ascii: "u"):
                    for _ in 0..<4 {
                        guard let h = peek, (0x30...0x39).contains(h) || (0x41...0x46).contains(h) || (0x61...0x66).contains(h)
                        else { return false }
                        i += 1
                    }
                default: return false
                }
            case 0..<0x20: return false
            default: break
            }
        }
        return false
    }
}
