import MeanShift

/// Fuzz target for `NpyFile.decode`, compiled into the `ClusterProtocol` module.
///
/// Properties: a decoded matrix has `rows * columns` finite values; encoding it and decoding the
/// result gives it back, and the encoding of that is the same bytes; decoding with the protocol's
/// 8 columns succeeds exactly when the matrix has 8 columns; the bytes of the input's data
/// section are the matrix's values; errors have a description.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNpy(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let anyWidth = Result { try NpyFile.decode(input, columns: nil) }
    let protocolWidth = Result { try NpyFile.decode(input) }
    switch anyWidth {
    case .success(let matrix):
        require(matrix.values.count == matrix.rows * matrix.columns, "values.count does not match the shape")
        require(matrix.values.allSatisfy(\.isFinite), "a non-finite value was accepted")
        let encoded = NpyFile.encode(matrix)
        require(encoded.count % 64 == matrix.values.count * 8 % 64, "the data does not start on a 64-byte boundary")
        let again = Result { try NpyFile.decode(encoded, columns: nil) }
        guard case .success(let back) = again else {
            require(false, "the encoding of a decoded matrix does not decode: \(again)")
            return 0
        }
        require(back == matrix, "decode(encode(m)) != m for shape (\(matrix.rows), \(matrix.columns))")
        require(NpyFile.encode(back) == encoded, "encode is not stable")
        // The data section is the input's last bytes, value for value.
        let data = input.suffix(matrix.values.count * 8)
        for (index, value) in matrix.values.enumerated() {
            var bits: UInt64 = 0
            for k in 0..<8 { bits |= UInt64(data[data.startIndex + index * 8 + k]) << UInt64(8 * k) }
            require(bits == value.bitPattern, "value \(index) is not the input's bytes")
        }
        switch protocolWidth {
        case .success(let narrow):
            require(matrix.columns == NpyFile.protocolColumns && narrow == matrix, "columns: 8 accepted a different matrix")
        case .failure:
            require(matrix.columns != NpyFile.protocolColumns, "columns: 8 rejected an 8-column matrix")
        }
    case .failure(let error):
        require(!"\(error)".isEmpty, "an error without a description")
        if case .success = protocolWidth { require(false, "columns: 8 accepted what columns: nil rejected") }
    }
    return 0
}
