import ClusterProtocol
import MeanShift
import Testing

@Suite("The .npy, CSV and JSON protocol")
struct ClusterProtocolTests {
    static let matrix = FeatureMatrix(
        rows: 2, columns: 8, values: [1, 2, 3, 4.5, 230.25, 0.1, 0.2, 1e-300, -1, 0, 7, 8, 9, 10, 11, 12])

    @Test func npyRoundTrip() throws {
        let bytes = NpyFile.encode(Self.matrix)
        #expect(Array(bytes.prefix(8)) == [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0])
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        #expect((10 + headerLength) % 64 == 0)
        #expect(bytes.count == 10 + headerLength + 16 * 8)
        #expect(try NpyFile.decode(bytes) == Self.matrix)
    }

    @Test func npyHeaderIsNumPys() {
        let bytes = NpyFile.encode(Self.matrix)
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        let header = String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
        #expect(header.hasPrefix("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 8), }"))
        #expect(header.hasSuffix("\n"))
    }

    @Test func npyEmptyMatrix() throws {
        let empty = FeatureMatrix(rows: 0, columns: 8, values: [])
        #expect(try NpyFile.decode(NpyFile.encode(empty)) == empty)
    }

    static func npy(header: String, version: UInt8 = 1, data: [UInt8]) -> [UInt8] {
        var text = header
        while (10 + text.utf8.count + 1) % 64 != 0 { text += " " }
        text += "\n"
        let length = text.utf8.count
        return [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0, UInt8(length & 0xff), UInt8(length >> 8)]
            + Array(text.utf8) + data
    }

    static let oneRow = NpyFile.encode(FeatureMatrix(rows: 1, columns: 8, values: [1, 2, 3, 4, 5, 6, 7, 8])).suffix(64)

    @Test(arguments: [
        ([UInt8](), ClusterProtocolError.Kind.empty, "the input is empty; expected a .npy file"),
        (Array("hello world".utf8), .notNpy, "the input is not a .npy file (it does not start with \\x93NUMPY)"),
        (npy(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 8), }", version: 9, data: Array(oneRow)),
         .notNpy, "unsupported .npy format version 9.0; expected 1.0"),
        (npy(header: "{'descr': '<f8', 'shape': (1, 8), }", data: Array(oneRow)),
         .badHeader, "the .npy header is malformed: the key 'fortran_order' is missing"),
        (npy(header: "{'descr': '<f8', 'fortran_order': Maybe, 'shape': (1, 8), }", data: Array(oneRow)),
         .badHeader, "the .npy header is malformed: expected True or False"),
        (npy(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 16), }", data: Array(oneRow)),
         .wrongType, "the array holds '<f4' values; expected little-endian float64 ('<f8')"),
        (npy(header: "{'descr': '>f8', 'fortran_order': False, 'shape': (1, 8), }", data: Array(oneRow)),
         .wrongType, "the array holds '>f8' values; expected little-endian float64 ('<f8')"),
        (npy(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (8,), }", data: Array(oneRow)),
         .wrongShape, "the array has shape (8,); expected 2 dimensions (rows, 8)"),
        (npy(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 4), }", data: Array(oneRow)),
         .wrongShape, "the array has shape (2, 4); expected (rows, 8)"),
        (npy(header: "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 8), }", data: Array(oneRow) + Array(oneRow)),
         .wrongShape, "the array is in Fortran order; expected C order"),
        (npy(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 8), }", data: Array(oneRow)),
         .truncated, "the data is truncated: shape (2, 8) needs 128 bytes, got 64"),
        (npy(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 8), }", data: Array(oneRow) + [0]),
         .trailingData, "1 unexpected bytes follow the 64 bytes of data"),
        (Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 200, 0, 0x7b]), .truncated, "the .npy header is truncated"),
    ])
    func npyErrors(bytes: [UInt8], kind: ClusterProtocolError.Kind, message: String) {
        #expect(throws: ClusterProtocolError(kind, message)) { try NpyFile.decode(bytes) }
    }

    @Test(arguments: [(Double.nan, "nan"), (Double.infinity, "inf"), (-Double.infinity, "-inf")])
    func npyNonFinite(value: Double, text: String) {
        var values = [Double](repeating: 1, count: 16)
        values[11] = value
        let bytes = NpyFile.encode(FeatureMatrix(rows: 2, columns: 8, values: values))
        #expect(throws: ClusterProtocolError(.nonFinite, "row 2, column 4: expected a finite number, got \(text)")) {
            try NpyFile.decode(bytes)
        }
    }

    @Test func csvWithHeaderCRLFAndBlankLines() throws {
        let text = "active,reactive,apparent,current,voltage,p1,p2,p3\r\n1,2,3,4.5,230.25,0.1,0.2,1e-300\r\n\r\n -1, 0,7,8,9,10,11,12\n"
        #expect(try CSVReader.parse(Array(text.utf8)) == Self.matrix)
    }

    @Test(arguments: [
        ("", ClusterProtocolError.Kind.empty, "the input is empty; expected CSV rows"),
        ("\n\n", .empty, "the CSV input holds no rows of numbers"),
        ("1,2,3,4,5,6,7,8\n1,2,3\n", .wrongShape, "line 2: expected 8 fields, got 3"),
        ("1,2,3,4,5,6,7\n", .wrongShape, "line 1: expected 8 fields, got 7"),
        ("1,2,3,4,5,6,7,8\n\n1,2,x,4,5,6,7,8\n", .notANumber, "line 3, field 3: expected a number, got \"x\""),
        ("1,2,3,4,5,6,7,8\n1,2,3,4,5,6,7,\n", .notANumber, "line 2, field 8: expected a number, got \"\""),
        ("1,2,3,4,5,6,7,nan\n", .nonFinite, "line 1, field 8: expected a finite number, got \"nan\""),
        ("1,2,3,inf,5,6,7,8\n", .nonFinite, "line 1, field 4: expected a finite number, got \"inf\""),
    ])
    func csvErrors(text: String, kind: ClusterProtocolError.Kind, message: String) {
        #expect(throws: ClusterProtocolError(kind, message)) { try CSVReader.parse(Array(text.utf8)) }
    }

    @Test func resultJSON() {
        let result = MeanShiftResult(labels: [0, -1, 1], clusterCenters: [[0.1, 2], [1e-7, 3.5]], iterations: 4)
        #expect(
            ClusterResultJSON.encode(result, bandwidth: 611.2788586523852, seconds: 0.25)
                == #"{"labels": [0, -1, 1], "bandwidth": 611.2788586523852, "cluster_centers": [[0.1, 2.0], [1e-07, 3.5]], "n_iter": 4, "seconds": 0.25}"#
        )
    }
}
