import MeanShift

/// Reads a feature matrix from comma-separated numbers, one row per line.
///
/// Lines end with LF or CRLF; blank lines are skipped; spaces around a number are allowed. A
/// first line in which no field is a number is taken as a header and skipped.
public enum CSVReader {
    /// Parses CSV text.
    /// - Parameters:
    ///   - bytes: the text, UTF-8.
    ///   - columns: the number of columns required, or `nil` to take the first row's width.
    /// - Returns: the matrix.
    /// - Throws: `ClusterProtocolError` with the line number of the first bad line.
    public static func parse(_ bytes: [UInt8], columns: Int? = NpyFile.protocolColumns) throws -> FeatureMatrix {
        guard !bytes.isEmpty else { throw ClusterProtocolError(.empty, "the input is empty; expected CSV rows") }
        var values: [Double] = []
        var width = columns
        var rows = 0
        var lineNumber = 0
        var sawContent = false
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != 0x0a { end += 1 }
            lineNumber += 1
            var lineEnd = end
            if lineEnd > start, bytes[lineEnd - 1] == 0x0d { lineEnd -= 1 }
            let line = bytes[start..<lineEnd]
            start = end + 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let fields = line.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false).map {
                String(decoding: $0, as: UTF8.self).trimmingSpaces()
            }
            let numbers = fields.map(Self.number)
            if !sawContent {
                sawContent = true
                if numbers.allSatisfy({ $0 == nil }) {
                    if width == nil { width = fields.count }
                    continue
                }
            }
            if width == nil { width = fields.count }
            guard fields.count == width! else {
                throw ClusterProtocolError(
                    .wrongShape, "line \(lineNumber): expected \(width!) fields, got \(fields.count)")
            }
            for (index, number) in numbers.enumerated() {
                guard let number else {
                    throw ClusterProtocolError(
                        .notANumber, "line \(lineNumber), field \(index + 1): expected a number, got \"\(fields[index])\"")
                }
                guard number.isFinite else {
                    throw ClusterProtocolError(
                        .nonFinite, "line \(lineNumber), field \(index + 1): expected a finite number, got \"\(fields[index])\"")
                }
                values.append(number)
            }
            rows += 1
        }
        guard rows > 0 else { throw ClusterProtocolError(.empty, "the CSV input holds no rows of numbers") }
        return FeatureMatrix(rows: rows, columns: width!, values: values)
    }

    /// The value of a field in decimal notation (`-12`, `3.5`, `.5`, `5.`, `1e-3`), or of `nan`,
    /// `inf` or `infinity` in any case so that they are reported as not finite; `nil` for anything
    /// else.
    ///
    /// `Double(String)` alone would also take hexadecimal (`0x1p3`) and stop at a NUL byte (`5\0x`
    /// reads as 5), so the syntax is checked first.
    private static func number(_ text: String) -> Double? {
        var rest = Substring(text).utf8[...]
        if let sign = rest.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") { rest = rest.dropFirst() }
        let word = String(decoding: rest, as: UTF8.self).lowercased()
        if word == "nan" || word == "inf" || word == "infinity" { return Double(text) }
        func digits() -> Int {
            let count = rest.prefix { $0 &- UInt8(ascii: "0") < 10 }.count
            rest = rest.dropFirst(count)
            return count
        }
        var mantissaDigits = digits()
        if rest.first == UInt8(ascii: ".") {
            rest = rest.dropFirst()
            mantissaDigits += digits()
        }
        guard mantissaDigits > 0 else { return nil }
        if let e = rest.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            rest = rest.dropFirst()
            if let sign = rest.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") { rest = rest.dropFirst() }
            guard digits() > 0 else { return nil }
        }
        guard rest.isEmpty else { return nil }
        return Double(text)
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
