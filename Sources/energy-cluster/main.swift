// energy-cluster: reads a feature matrix on stdin, clusters it with mean shift as the
// reference scikit-learn code does, and writes the result as one JSON object on stdout.

import ClusterProtocol
import Glibc
import MeanShift

let usage = """
    usage: energy-cluster [--csv] [--quantile Q] [--samples N] < features.npy
    Reads an n×8 float64 matrix as a .npy file (format 1.0, '<f8', C order) on stdin, or as
    CSV with --csv, and writes {"labels", "bandwidth", "cluster_centers", "n_iter", "seconds"}
    as JSON on stdout. The bandwidth is estimated like estimate_bandwidth(X, quantile=Q,
    n_samples=N, random_state=0), then MeanShift(bandwidth, bin_seeding=True,
    cluster_all=False) labels every row (-1 for rows near no center).
    options:
      --csv          read comma-separated numbers (an optional header line is skipped)
      --quantile Q   quantile for the bandwidth estimate, 0 < Q <= 1 (default 0.2)
      --samples N    rows sampled for the bandwidth estimate (default 200)
      -h, --help     show this help
    exit status: 0 success, 64 usage error, 65 bad input data, 74 read error
    """

func fail(_ message: String, status: Int32) -> Never {
    var line = "energy-cluster: " + message + "\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    exit(status)
}

func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

func readStandardInput() -> [UInt8] {
    var bytes: [UInt8] = []
    var status = stat()
    if fstat(0, &status) == 0, status.st_mode & S_IFMT == S_IFREG, status.st_size > 0 {
        bytes.reserveCapacity(Int(status.st_size) + 1)
    }
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
        if count == 0 { return bytes }
        if count < 0 {
            if errno == EINTR { continue }
            fail("cannot read standard input: \(String(cString: strerror(errno)))", status: 74)
        }
        bytes.append(contentsOf: chunk[0..<count])
    }
}

var csv = false
var quantile = 0.2
var samples = 200
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "-h", "--help":
        print(usage)
        exit(0)
    case "--csv":
        csv = true
    case "--quantile":
        guard let text = arguments.popFirst(), let value = Double(text), value > 0, value <= 1 else {
            fail("--quantile needs a number in (0, 1]", status: 64)
        }
        quantile = value
    case "--samples":
        guard let text = arguments.popFirst(), let value = Int(text), value >= 1 else {
            fail("--samples needs a whole number of at least 1", status: 64)
        }
        samples = value
    default:
        fail("unknown argument '\(argument)' (try --help)", status: 64)
    }
}

let started = now()
let matrix: FeatureMatrix
do {
    let input = readStandardInput()
    matrix = csv ? try CSVReader.parse(input) : try NpyFile.decode(input)
} catch {
    fail("\(error)", status: 65)
}
guard matrix.rows > 0 else { fail("the input holds no rows", status: 65) }

do {
    let bandwidth = try estimateBandwidth(matrix, quantile: quantile, sampleCount: samples, seed: 0)
    guard bandwidth > 0 else {
        fail(
            "the estimated bandwidth is 0: \(matrix.rows) rows are too few (or too many are identical)"
                + " for the \(quantile) quantile of neighbour distances", status: 65)
    }
    let result = try MeanShift(bandwidth: bandwidth).fit(matrix)
    print(ClusterResultJSON.encode(result, bandwidth: bandwidth, seconds: now() - started))
} catch {
    fail("\(error)", status: 65)
}
