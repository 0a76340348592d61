/// Sums doubles in the order NumPy's `add.reduce` does for a contiguous float64 array, so that
/// means and deviations match NumPy's `mean` and `std` to the last bit.
///
/// NumPy starts from 0 and adds the pairwise sum of the whole array: blocks of at most 128
/// values are summed with 8 interleaved accumulators, longer runs are split in two at a
/// multiple of 8 and summed recursively.
enum PairwiseSum {
    /// The sum of `values`.
    static func sum(_ values: [Double]) -> Double {
        values.withUnsafeBufferPointer { 0.0 + pairwise($0) }
    }

    /// The arithmetic mean, as `numpy.mean`; NaN for no values.
    static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? .nan : sum(values) / Double(values.count)
    }

    /// The population standard deviation (ddof = 0), as `numpy.std`.
    static func standardDeviation(_ values: [Double], mean: Double) -> Double {
        let squares = values.map { value -> Double in
            let deviation = value - mean
            return deviation * deviation
        }
        return (sum(squares) / Double(values.count)).squareRoot()
    }

    private static let blockSize = 128

    private static func pairwise(_ values: UnsafeBufferPointer<Double>) -> Double {
        let count = values.count
        if count < 8 {
            var result = 0.0
            for value in values { result += value }
            return result
        }
        if count <= blockSize {
            var r0 = values[0]
            var r1 = values[1]
            var r2 = values[2]
            var r3 = values[3]
            var r4 = values[4]
            var r5 = values[5]
            var r6 = values[6]
            var r7 = values[7]
            var index = 8
            while index < count - count % 8 {
                r0 += values[index]
                r1 += values[index + 1]
                r2 += values[index + 2]
                r3 += values[index + 3]
                r4 += values[index + 4]
                r5 += values[index + 5]
                r6 += values[index + 6]
                r7 += values[index + 7]
                index += 8
            }
            var result = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
            while index < count {
                result += values[index]
                index += 1
            }
            return result
        }
        var half = count / 2
        half -= half % 8
        return pairwise(UnsafeBufferPointer(rebasing: values[..<half]))
            + pairwise(UnsafeBufferPointer(rebasing: values[half...]))
    }
}
