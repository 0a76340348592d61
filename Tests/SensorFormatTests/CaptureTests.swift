import Foundation
import SensorFormat
import Testing

/// Whole captures: every line parses to the expected features, bit for bit, or is rejected.
@Suite struct CaptureTests {
    let parser = EventParser()

    @Test(
        "The real capture parses with the expected features, bit for bit",
        .enabled(if: TestData.hasRealCapture, "the real capture in ../shared/data is absent"))
    func realCapture() throws {
        let lines = try TestData.lines(TestData.shared.appendingPathComponent("events-real-1000.log"))
        let expected = try TestData.expectations(TestData.shared.appendingPathComponent("events-real-1000.expect.json"))
        #expect(lines.count == 1000)
        try #require(lines.count == expected.count)
        for (number, (line, expectation)) in zip(lines, expected).enumerated() {
            #expect(expectation.valid)
            do {
                let event = try parser.parse(line)
                #expect(event.features.bits == expectation.features.bits, "line \(number + 1)")
                #expect(event.deviceID == 1, "line \(number + 1)")
            } catch {
                Issue.record("line \(number + 1): \(error)")
            }
        }
    }

    @Test("A generated capture of 3000 valid lines parses with the expected features")
    func household() throws {
        let lines = try TestData.lines(TestData.fixtures.appendingPathComponent("household-3000.log"))
        let expected = try TestData.expectations(TestData.fixtures.appendingPathComponent("household-3000.expect.json"))
        try #require(lines.count == 3000 && expected.count == 3000)
        for (number, (line, expectation)) in zip(lines, expected).enumerated() {
            do {
                let event = try parser.parse(line)
                #expect(event.features.bits == expectation.features.bits, "line \(number + 1)")
            } catch {
                Issue.record("line \(number + 1): \(error)")
            }
        }
    }

    /// The field a rejected line of the dirty capture must be rejected for, by the damage done.
    static func fits(_ error: ParseError, why: String) -> Bool {
        switch why {
        case "binary_noise":
            return error.field == "line"
                && (error.message.hasPrefix("not valid UTF-8") || error.message.hasPrefix("control character"))
        case "overlong":
            return error.field == "line" && error.message.hasSuffix("longer than the 16384 allowed")
        case "empty_peaks":
            return error.description == "Peaks: need at least 3 values, got 0"
        case "bad_unit":
            return error.message.hasPrefix("expected a number with unit ")
        case "garbage_number":
            return error.message.hasPrefix("expected a number") || error.message.hasPrefix("expected an integer")
        case "missing_section":
            return error.message == "missing" && !error.field.contains(".")
        case "truncated":
            // Cut anywhere: the cut leaves a section or key missing, or a value half written.
            return error.message == "missing" || error.message.hasPrefix("expected")
                || error.message.hasPrefix("need at least")
        default:
            return false
        }
    }

    @Test("A dirty capture: valid lines parse exactly, damaged lines are rejected for the damaged field")
    func dirty() throws {
        let lines = try TestData.lines(TestData.fixtures.appendingPathComponent("household-dirty-2000.log"))
        let expected = try TestData.expectations(
            TestData.fixtures.appendingPathComponent("household-dirty-2000.expect.json"))
        try #require(lines.count == expected.count)
        var valid = 0
        var reasons: [String: [String]] = [:]
        for (number, (line, expectation)) in zip(lines, expected).enumerated() {
            do {
                let event = try parser.parse(line)
                if expectation.valid {
                    valid += 1
                    #expect(event.features.bits == expectation.features.bits, "line \(number + 1)")
                } else {
                    Issue.record("line \(number + 1) (\(expectation.why ?? "?")) was accepted")
                }
            } catch {
                if let why = expectation.why {
                    reasons[why, default: []].append(error.description)
                    #expect(Self.fits(error, why: why), "line \(number + 1) (\(why)): \(error)")
                } else {
                    Issue.record("line \(number + 1) (\(expectation.variant ?? "?")) was rejected: \(error)")
                }
            }
        }
        #expect(valid == 2000)
        #expect(reasons.values.map(\.count).reduce(0, +) == 78)
        for (why, errors) in reasons.sorted(by: { $0.key < $1.key }) {
            print("\(why): \(errors.count), for example \(errors.first ?? "")")
        }
    }
}
