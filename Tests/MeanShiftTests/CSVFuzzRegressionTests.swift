import ClusterProtocol
import Testing

/// Inputs the CSV fuzz target found, and the neighbouring cases: a field is a number only in
/// decimal notation.
@Suite("CSV: fuzz regressions")
struct CSVFuzzRegressionTests {
    static func error(_ bytes: [UInt8], columns: Int? = nil) -> ClusterProtocolError? {
        do {
            _ = try CSVReader.parse(bytes, columns: columns)
            return nil
        } catch let error as ClusterProtocolError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    /// The fuzz target's find (`61 0a 35 00 0a 35`): `Double(String)` stops at a NUL byte, so
    /// `5\0` was read as 5.
    @Test func nulAfterADigit() {
        let found = Self.error([0x61, 0x0a, 0x35, 0x00, 0x0a, 0x35])
        #expect(found?.kind == .notANumber)
        #expect(found?.description == "line 2, field 1: expected a number, got \"5\u{0}\"")
    }

    @Test(arguments: ["0x1p3", "0X10", "5\u{0}1", "1e", "1e+", ".", "-", "+.e1", "1 2", "١٢", "1_000", "nan(1)"])
    func notDecimalNotation(field: String) {
        let found = Self.error(Array("x,y\n1,\(field)\n".utf8))
        #expect(found?.kind == .notANumber, "\(field.debugDescription): \(String(describing: found))")
    }

    @Test(arguments: ["nan", "-inf", "Infinity", "+NaN", "1e999"])
    func nonFiniteIsNamedSo(field: String) {
        #expect(Self.error(Array("1,\(field)\n".utf8))?.kind == .nonFinite)
    }

    @Test func decimalForms() throws {
        let matrix = try CSVReader.parse(Array(" -12 ,3.5,.5\n5.,1e-3,+2E+2\r\n".utf8), columns: nil)
        #expect(matrix.values == [-12, 3.5, 0.5, 5, 0.001, 200])
    }
}
