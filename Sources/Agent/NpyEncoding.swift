/// Temporary: replaced by ClusterProtocol's writer.
enum NpyEncoding {
    static func encode(rows: Int, columns: Int, values: [Double]) -> [UInt8] {
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
        let total = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - total % 64) % 64) + "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        let length = header.utf8.count
        bytes += [UInt8(length & 0xFF), UInt8(length >> 8)]
        bytes += Array(header.utf8)
        values.withUnsafeBytes { bytes += $0 }
        return bytes
    }
}
