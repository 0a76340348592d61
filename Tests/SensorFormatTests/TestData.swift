import Foundation
import SensorFormat
import TestSupport

/// Where the test data lives, and readers for the captures and their expectations.
enum TestData {
    /// The checked-in fixtures.
    static let fixtures = Repository.fixtures

    /// The shared data folder next to the repository, which holds the real capture.
    static let shared = Repository.sharedData

    /// Whether the real capture and its expectations are present.
    static var hasRealCapture: Bool { Repository.hasRealCapture }

    /// The lines of a capture, split on LF with a trailing CR removed, as the agent's framer does.
    /// A final empty piece after the last LF is not a line.
    static func lines(_ url: URL) throws -> [[UInt8]] {
        let bytes = [UInt8](try Data(contentsOf: url))
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { Array($0) }
        if lines.last?.isEmpty == true { lines.removeLast() }
        return lines.map { $0.last == 0x0D ? Array($0.dropLast()) : $0 }
    }

    /// One entry of an `.expect.json` file.
    struct Expectation {
        var valid: Bool
        var why: String?
        var variant: String?
        var features: [Double]
    }

    /// Reads an `.expect.json` file: an array of objects with `valid`, `features` and `why`.
    static func expectations(_ url: URL) throws -> [Expectation] {
        let text = try String(contentsOf: url, encoding: .utf8)
        var reader = JSONReader(bytes: Array(text.utf8))
        guard case .array(let items) = try reader.value() else { throw JSONReader.Failure.unexpected }
        return try items.map { item in
            guard case .object(let fields) = item, case .bool(let valid) = fields["valid"] else {
                throw JSONReader.Failure.unexpected
            }
            var features: [Double] = []
            if case .array(let values) = fields["features"] {
                features = try values.map { value in
                    guard case .number(let text) = value, let number = Double(text) else {
                        throw JSONReader.Failure.unexpected
                    }
                    return number
                }
            }
            var why: String?
            if case .string(let text) = fields["why"] { why = text }
            var variant: String?
            if case .string(let text) = fields["variant"] { variant = text }
            return Expectation(valid: valid, why: why, variant: variant, features: features)
        }
    }
}

/// A small JSON reader that keeps numbers as their text, so that the tests convert them with the
/// standard library's correctly rounded `Double(_:)` and nothing else.
struct JSONReader {
    indirect enum Value {
        case null
        case bool(Bool)
        case number(String)
        case string(String)
        case array([Value])
        case object([String: Value])
    }

    enum Failure: Error { case unexpected }

    let bytes: [UInt8]
    var i = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func skipSpace() {
        while i < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[i]) { i += 1 }
    }

    mutating func value() throws -> Value {
        skipSpace()
        guard i < bytes.count else { throw Failure.unexpected }
        switch bytes[i] {
        case UInt8(ascii: "["):
            i += 1
            var items: [Value] = []
            skipSpace()
            if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                items.append(try value())
                skipSpace()
                let byte = bytes[i]
                i += 1
                if byte == UInt8(ascii: "]") { return .array(items) }
                guard byte == UInt8(ascii: ",") else { throw Failure.unexpected }
            }
        case UInt8(ascii: "{"):
            i += 1
            var fields: [String: Value] = [:]
            skipSpace()
            if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(fields) }
            while true {
                skipSpace()
                guard case .string(let key) = try value() else { throw Failure.unexpected }
                skipSpace()
                guard bytes[i] == UInt8(ascii: ":") else { throw Failure.unexpected }
                i += 1
                fields[key] = try value()
                skipSpace()
                let byte = bytes[i]
                i += 1
                if byte == UInt8(ascii: "}") { return .object(fields) }
                guard byte == UInt8(ascii: ",") else { throw Failure.unexpected }
            }
        case UInt8(ascii: "\""):
            i += 1
            var text: [UInt8] = []
            while bytes[i] != UInt8(ascii: "\"") {
                // The expectation files use no escapes beyond \" and \\.
                if bytes[i] == UInt8(ascii: "\\") { i += 1 }
                text.append(bytes[i])
                i += 1
            }
            i += 1
            return .string(String(decoding: text, as: UTF8.self))
        case UInt8(ascii: "t"): i += 4; return .bool(true)
        case UInt8(ascii: "f"): i += 5; return .bool(false)
        case UInt8(ascii: "n"): i += 4; return .null
        default:
            let start = i
            while i < bytes.count, Array("+-.0123456789eE".utf8).contains(bytes[i]) { i += 1 }
            guard i > start else { throw Failure.unexpected }
            return .number(String(decoding: bytes[start..<i], as: UTF8.self))
        }
    }
}

extension Array where Element == Double {
    /// The bit patterns, for comparing doubles bit for bit.
    var bits: [UInt64] { map(\.bitPattern) }
}
