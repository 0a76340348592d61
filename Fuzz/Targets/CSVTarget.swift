import MeanShift

/// Fuzz target for `CSVReader.parse`, compiled into the `ClusterProtocol` module.
///
/// Properties: a parsed matrix has `rows * columns` finite values; writing it back as CSV (each
/// double in its shortest form) and parsing that gives it back bit for bit; LF to CRLF changes
/// nothing for an input without CR; the protocol's 8 columns are accepted exactly when the matrix
/// has 8; errors have a description; in accepted input, every line after the first non-blank one
/// (which may be a header) holds only decimal notation: digits, signs, `.`, `e`, commas, spaces.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let anyWidth = Result { try CSVReader.parse(input, columns: nil) }
    switch anyWidth {
    case .success(let matrix):
        require(matrix.rows > 0 && matrix.columns > 0, "an empty matrix was returned")
        require(matrix.values.count == matrix.rows * matrix.columns, "values.count does not match the shape")
        require(matrix.values.allSatisfy(\.isFinite), "a non-finite value was accepted")
        let allowed = Set("0123456789+-.eE,\t\r ".utf8)
        var seenFirst = false
        for line in input.split(separator: 0x0A) where !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
            if seenFirst {
                require(line.allSatisfy(allowed.contains), "accepted a data line that is not decimal numbers: \(escaped(line))")
            }
            seenFirst = true
        }
        var text = ""
        for row in 0..<matrix.rows {
            text += matrix.row(row).map(\.description).joined(separator: ",") + "\n"
        }
        let again = Result { try CSVReader.parse(Array(text.utf8), columns: nil) }
        guard case .success(let back) = again else {
            require(false, "the CSV of a parsed matrix does not parse: \(again)")
            return 0
        }
        require(
            back.rows == matrix.rows && back.columns == matrix.columns
                && zip(back.values, matrix.values).allSatisfy { $0.bitPattern == $1.bitPattern },
            "parse(write(m)) != m")
        let protocolWidth = Result { try CSVReader.parse(input) }
        switch protocolWidth {
        case .success(let narrow):
            require(matrix.columns == NpyFile.protocolColumns && narrow == matrix, "columns: 8 gave another matrix")
        case .failure:
            require(matrix.columns != NpyFile.protocolColumns, "columns: 8 rejected an 8-column matrix")
        }
    case .failure(let error):
        require(!"\(error)".isEmpty, "an error without a description")
    }
    if !input.contains(0x0D) {
        var crlf: [UInt8] = []
        for byte in input {
            if byte == 0x0A { crlf.append(0x0D) }
            crlf.append(byte)
        }
        let other = Result { try CSVReader.parse(crlf, columns: nil) }
        switch (anyWidth, other) {
        case (.success(let a), .success(let b)): require(a == b, "CRLF line ends changed the matrix")
        case (.failure(let a as ClusterProtocolError), .failure(let b as ClusterProtocolError)):
            require(a.kind == b.kind, "CRLF line ends changed the error: \(a) / \(b)")
        default: require(false, "CRLF line ends changed acceptance: \(anyWidth) / \(other)")
        }
    }
    return 0
}
