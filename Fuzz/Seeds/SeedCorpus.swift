import ClusterProtocol
import Glibc
import MeanShift
import SensorFormat

/// Writes the seed corpus of every fuzz target from capture files.
///
/// Usage: `seed-corpus OUTPUT-DIRECTORY CAPTURE.log...`. Each target gets a directory under the
/// output: `parser` (lines, good and bad), `framer` (slices of the captures behind a header),
/// `npy`, `csv` and `result-json` (made from the features of the lines that parse).
@main
struct SeedCorpus {
    static func main() {
        let arguments = CommandLine.arguments
        guard arguments.count >= 3 else {
            fail("usage: seed-corpus OUTPUT-DIRECTORY CAPTURE.log...")
        }
        let output = arguments[1]
        var lines: [[UInt8]] = []
        var captures: [[UInt8]] = []
        for path in arguments.dropFirst(2) {
            let bytes = readFile(path)
            captures.append(bytes)
            lines += bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        }

        let parser = EventParser()
        var features: [[Double]] = []
        var good: [[UInt8]] = []
        var bad: [[UInt8]] = []
        var seenErrors = Set<String>()
        for line in lines {
            do {
                let event = try parser.parse(line)
                features.append(event.features)
                if good.count < 40 { good.append(line) }
            } catch {
                // One line for each distinct problem, so that every error path has a seed.
                if seenErrors.insert(error.field + ": " + String(error.message.prefix(30))).inserted { bad.append(line) }
            }
        }

        let parserSeeds = good + bad.prefix(200)
        write(parserSeeds, to: output + "/parser")

        var framerSeeds: [[UInt8]] = []
        for (index, capture) in captures.enumerated() {
            let slice = Array(capture.prefix(3000))
            framerSeeds.append([0x80, 0] + slice)
            framerSeeds.append([UInt8(truncatingIfNeeded: 17 + index), 3, 1, 7, 200] + slice.prefix(900))
            framerSeeds.append([0xC0, 2, 0, 64] + Array(slice.prefix(700)) + [0x0D])
        }
        framerSeeds.append([0x05, 2, 1, 3] + Array("a\r\nbb\r\r\n\n\rccc\rdddddddd".utf8))
        write(framerSeeds, to: output + "/framer")

        var matrices: [FeatureMatrix] = []
        for count in [1, 2, 3, 8, 20] where features.count >= count {
            matrices.append(FeatureMatrix(rowValues: Array(features.prefix(count))))
        }
        matrices.append(FeatureMatrix(rows: 0, columns: 8, values: []))
        if let first = features.first { matrices.append(FeatureMatrix(rows: 2, columns: 4, values: first)) }
        write(matrices.map(NpyFile.encode), to: output + "/npy")

        var csvSeeds: [[UInt8]] = []
        for (index, matrix) in matrices.enumerated() where matrix.rows > 0 {
            var text = index % 2 == 0 ? SensorEvent.featureNames.joined(separator: ",") + "\n" : ""
            for row in 0..<matrix.rows {
                text += matrix.row(row).map(\.description).joined(separator: index % 3 == 0 ? ", " : ",")
                text += index % 3 == 1 ? "\r\n" : "\n"
            }
            csvSeeds.append(Array(text.utf8))
        }
        write(csvSeeds, to: output + "/csv")

        var jsonSeeds: [[UInt8]] = []
        for matrix in matrices where matrix.rows > 0 && matrix.columns == 8 {
            let clusterer = MeanShift(bandwidth: 50)
            if let result = try? clusterer.fit(matrix) {
                jsonSeeds.append(Array(ClusterResultJSON.encode(result, bandwidth: 50, seconds: 0.125).utf8))
            }
        }
        jsonSeeds.append(Array(#"{"labels": [], "bandwidth": 1.5e3, "cluster_centers": [], "n_iter": 0}"#.utf8))
        jsonSeeds.append(Array(#"{"labels":[-1,0],"bandwidth":2,"cluster_centers":[[1,2]],"x":{"y":[true,false,null,"\u00e9\n"]}}"#.utf8))
        write(jsonSeeds, to: output + "/result-json")
        print("seed corpus: \(parserSeeds.count) parser, \(framerSeeds.count) framer, \(matrices.count) npy, "
            + "\(csvSeeds.count) csv, \(jsonSeeds.count) result-json inputs from \(captures.count) captures")
    }

    static func fail(_ message: String) -> Never {
        var text = message + "\n"
        text.withUTF8 { _ = Glibc.write(2, $0.baseAddress, $0.count) }
        exit(1)
    }

    static func readFile(_ path: String) -> [UInt8] {
        guard let file = fopen(path, "rb") else { fail("seed-corpus: cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        if ferror(file) != 0 { fail("seed-corpus: cannot read \(path)") }
        return bytes
    }

    static func write(_ seeds: [[UInt8]], to directory: String) {
        mkdir(directory, 0o755)
        for (index, seed) in seeds.enumerated() {
            let path = directory + "/seed-\(index)"
            guard let file = fopen(path, "wb") else { fail("seed-corpus: cannot create \(path)") }
            let written = seed.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
            if fclose(file) != 0 || written != seed.count { fail("seed-corpus: cannot write \(path)") }
        }
    }
}
