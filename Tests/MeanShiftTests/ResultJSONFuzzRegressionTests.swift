import ClusterProtocol
import Testing

/// Inputs the result JSON fuzz target found, and the neighbouring cases: the reader takes only
/// JSON as RFC 8259 defines it, and only finite numbers.
@Suite("Result JSON: fuzz regressions")
struct ResultJSONFuzzRegressionTests {
    static func hex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }

    static func reason(_ bytes: [UInt8]) -> String? {
        do {
            _ = try ClusterResultJSON.decode(bytes)
            return nil
        } catch {
            #expect(error.kind == .badResult)
            return error.description
        }
    }

    /// The fuzz target's first find: a member name with an invalid UTF-8 byte (0xD2) was read with
    /// a replacement character instead of being rejected.
    @Test func invalidUTF8InAMemberName() {
        let input = Self.hex(
            "7b226c6162656c73223a205b302c20302c20315d2c202262616e647769647468223a2035302e302c2022636c75737465"
                + "725f63656e74657273223a205b5b35342e302c2037322e352c2039302e352c20302e33393232323735382c203232392e"
                + "3839352c20302e38363431313035322c20302e3836333837383731352c20302e38383636313939355d2c205b3138352e"
                + "302c203137302e302c203235322e302c20312e30393436373930332c203232392e39372c20312e38333439393938362c"
                + "20312e38383531353738332c20312e38393637383138325d5d2c20226e5f69746572223a20312c20227365636fd26473"
                + "223a20302e3132357d")
        #expect(Self.reason(input) == "the result is not valid JSON: invalid UTF-8 in a string at byte 233")
    }

    @Test(arguments: [
        (#"{"labels": [], "bandwidth": 1e999, "cluster_centers": []}"#, #"number out of range "1e999" at byte 28"#),
        (#"{"labels": [], "bandwidth": 01, "cluster_centers": []}"#, #"bad number "01" at byte 28"#),
        (#"{"labels": [], "bandwidth": .5, "cluster_centers": []}"#, "unexpected character at byte 28"),
        (#"{"labels": [], "bandwidth": 5., "cluster_centers": []}"#, #"bad number "5." at byte 28"#),
        (#"{"labels": [], "bandwidth": -, "cluster_centers": []}"#, #"bad number "-" at byte 28"#),
        (#"{"labels": [], "bandwidth": 1e+, "cluster_centers": []}"#, #"bad number "1e+" at byte 28"#),
        (#"{"labels": [], "bandwidth": 1, "cluster_centers": [[-1e400]]}"#, #"number out of range "-1e400" at byte 52"#),
        (#"{"labels": [], "bandwidth": 1, "cluster_centers": [], "x": "\q"}"#, "bad escape at byte 60"),
        (#"{"labels": [], "bandwidth": 1, "cluster_centers": [], "x": "\u+123"}"#, "bad \\u escape at byte 62"),
        (#"{"labels": [], "bandwidth": 1, "cluster_centers": [], "x": "\u12"}"#, "bad \\u escape at byte 62"),
    ])
    func rejectsWhatIsNotJSON(input: String, reason: String) {
        #expect(Self.reason(Array(input.utf8)) == "the result is not valid JSON: " + reason)
    }

    @Test func readsEscapesAndSurrogatePairs() throws {
        let input = #"{"labels": [0], "bandwidth": 2.5E-1, "cluster_centers": [[-0.0]], "\ud83d\ude00\u00e9\/\"": 1, "l\u0061bels": [1, -1]}"#
        let result = try ClusterResultJSON.decode(Array(input.utf8))
        // A later member of the same name wins; "l\u0061bels" is "labels".
        #expect(result.labels == [1, -1])
        #expect(result.bandwidth == 0.25)
        #expect(result.clusterCenters == [[0]])
    }

    @Test func loneSurrogateReadsAsReplacement() throws {
        let input = #"{"labels": [], "bandwidth": 1, "cluster_centers": [], "\ud800x": 1}"#
        #expect(try ClusterResultJSON.decode(Array(input.utf8)).labels == [])
    }
}
