import MeanShift

/// Reads and writes feature matrices as NumPy `.npy` files: format version 1.0, little-endian
/// float64 (`<f8`), C order, shape (rows, columns).
public enum NpyFile {
    /// The columns of the clustering protocol: active, reactive and apparent power, current,
    /// voltage and the first three peaks.
    public static let protocolColumns = 8

    private static let magic: [UInt8] = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]  // "\x93NUMPY"

    /// Encodes a matrix as a version 1.0 `.npy` file, as `numpy.save` would write it.
    /// - Parameter matrix: the matrix.
    /// - Returns: the bytes of the file.
    public static func encode(_ matrix: FeatureMatrix) -> [UInt8] {
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (\(matrix.rows), \(matrix.columns)), }"
        // Pad with spaces so that the data starts on a 64-byte boundary; end with a newline.
        let unpadded = magic.count + 4 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var bytes = magic + [1, 0]
        let length = UInt16(header.utf8.count)
        bytes.append(UInt8(length & 0xff))
        bytes.append(UInt8(length >> 8))
        bytes.append(contentsOf: header.utf8)
        bytes.reserveCapacity(bytes.count + matrix.values.count * 8)
        for value in matrix.values {
            let bits = value.bitPattern
            for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
        }
        return bytes
    }

    /// Decodes a `.npy` file holding a 2-D little-endian float64 array in C order.
    /// - Parameters:
    ///   - bytes: the whole file.
    ///   - columns: the number of columns required, or `nil` to accept any.
    /// - Returns: the matrix.
    /// - Throws: `ClusterProtocolError` naming what is wrong: magic, version, header, dtype,
    ///   shape, length, or the first NaN or infinity.
    public static func decode(_ bytes: [UInt8], columns: Int? = protocolColumns) throws -> FeatureMatrix {
        try bytes.withUnsafeBufferPointer { try decode($0, columns: columns) }
    }

    /// Decodes a `.npy` file from raw bytes; see `decode(_:columns:)`.
    public static func decode(_ bytes: UnsafeBufferPointer<UInt8>, columns: Int? = protocolColumns) throws -> FeatureMatrix {
        guard !bytes.isEmpty else { throw ClusterProtocolError(.empty, "the input is empty; expected a .npy file") }
        guard bytes.count >= 8, Array(bytes[0..<6]) == magic else {
            throw ClusterProtocolError(.notNpy, "the input is not a .npy file (it does not start with \\x93NUMPY)")
        }
        let major = bytes[6]
        let minor = bytes[7]
        let headerStart: Int
        let headerLength: Int
        switch (major, minor) {
        case (1, 0):
            guard bytes.count >= 10 else { throw truncatedHeader() }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case (2, 0), (3, 0):
            guard bytes.count >= 12 else { throw truncatedHeader() }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw ClusterProtocolError(.notNpy, "unsupported .npy format version \(major).\(minor); expected 1.0")
        }
        guard bytes.count >= headerStart + headerLength else { throw truncatedHeader() }
        let header = try NpyHeader(String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self))
        guard header.descr == "<f8" || header.descr == "<d" else {
            throw ClusterProtocolError(
                .wrongType, "the array holds '\(header.descr)' values; expected little-endian float64 ('<f8')")
        }
        guard header.shape.count == 2 else {
            throw ClusterProtocolError(
                .wrongShape, "the array has shape \(header.shapeText); expected 2 dimensions (rows, \(columns.map(String.init) ?? "columns"))")
        }
        let rows = header.shape[0]
        let width = header.shape[1]
        if let columns, width != columns {
            throw ClusterProtocolError(
                .wrongShape, "the array has shape \(header.shapeText); expected (rows, \(columns))")
        }
        guard !header.fortranOrder || rows <= 1 || width <= 1 else {
            throw ClusterProtocolError(.wrongShape, "the array is in Fortran order; expected C order")
        }
        let (count, overflow) = rows.multipliedReportingOverflow(by: width)
        let (byteCount, overflow2) = count.multipliedReportingOverflow(by: 8)
        guard !overflow, !overflow2 else {
            throw ClusterProtocolError(.wrongShape, "the array shape \(header.shapeText) is too large")
        }
        let dataStart = headerStart + headerLength
        let available = bytes.count - dataStart
        guard available >= byteCount else {
            throw ClusterProtocolError(
                .truncated,
                "the data is truncated: shape \(header.shapeText) needs \(byteCount) bytes, got \(available)")
        }
        guard available == byteCount else {
            throw ClusterProtocolError(
                .trailingData, "\(available - byteCount) unexpected bytes follow the \(byteCount) bytes of data")
        }
        var values = [Double](repeating: 0, count: count)
        let raw = UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[dataStart...]))
        for i in 0..<count {
            let bits = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))
            let value = Double(bitPattern: bits)
            guard value.isFinite else {
                throw ClusterProtocolError(
                    .nonFinite, "row \(i / width + 1), column \(i % width + 1): expected a finite number, got \(value)")
            }
            values[i] = value
        }
        return FeatureMatrix(rows: rows, columns: width, values: values)
    }

    private static func truncatedHeader() -> ClusterProtocolError {
        ClusterProtocolError(.truncated, "the .npy header is truncated")
    }
}
