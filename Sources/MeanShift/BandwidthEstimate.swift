/// Estimates the mean-shift bandwidth exactly as scikit-learn's
/// `estimate_bandwidth(X, quantile=quantile, n_samples=sampleCount, random_state=seed)`.
///
/// The rows sampled are the first `sampleCount` of NumPy's `RandomState(seed).permutation(n)`;
/// with k = ⌊m × quantile⌋ (at least 1) over the m sampled rows, the bandwidth is the mean over
/// the sampled rows of the distance to their k-th nearest sampled row, the row itself being
/// its own first neighbour.
/// - Parameters:
///   - data: the samples, one per row.
///   - quantile: between 0 and 1; the reference uses 0.2.
///   - sampleCount: how many rows to sample, or `nil` for all rows in order.
///   - seed: the seed of the legacy NumPy generator.
/// - Returns: the bandwidth; it may be 0 (see `MeanShift`, which refuses it).
/// - Throws: `MeanShiftError` for an empty matrix, a non-finite value or a bad parameter.
public func estimateBandwidth(
    _ data: FeatureMatrix, quantile: Double = 0.2, sampleCount: Int? = 200, seed: UInt32 = 0
) throws -> Double {
    try MeanShift.validate(data)
    guard quantile >= 0, quantile <= 1 else {
        throw MeanShiftError(.invalidQuantile, "the quantile must be between 0 and 1, got \(quantile)")
    }
    var sample = data
    if let sampleCount {
        guard sampleCount >= 1 else {
            throw MeanShiftError(.invalidSampleCount, "the sample count must be at least 1, got \(sampleCount)")
        }
        var generator = MersenneTwister(seed: seed)
        let permutation = generator.permutation(data.rows)
        sample = data.selecting(rows: permutation.prefix(sampleCount))
    }
    let m = sample.rows
    let d = sample.columns
    var k = Int(Double(m) * quantile)
    if k < 1 { k = 1 }
    let bruteForce = NeighborIndex.usesBruteForce(neighbors: k, rows: m, columns: d)

    var kthDistances = [Double](repeating: 0, count: m)
    sample.values.withUnsafeBufferPointer { p in
        let base = p.baseAddress!
        var norms = [Double](repeating: 0, count: m)
        if bruteForce {
            for i in 0..<m { norms[i] = NumPyArithmetic.fusedDot(base + i * d, base + i * d, d) }
        }
        var row = [Double](repeating: 0, count: m)
        for i in 0..<m {
            let x = base + i * d
            for j in 0..<m {
                row[j] = bruteForce
                    ? NumPyArithmetic.gemmSquaredDistance(x, xNorm: norms[i], base + j * d, yNorm: norms[j], d)
                    : NumPyArithmetic.squaredDistance(x, base + j * d, d)
            }
            kthDistances[i] = smallest(k, in: &row).squareRoot()
        }
    }
    // scikit-learn adds up the k-th distances in batches of 500 rows, each with np.sum.
    var bandwidth = 0.0
    kthDistances.withUnsafeBufferPointer { p in
        var start = 0
        while start < m {
            let end = min(start + 500, m)
            bandwidth += NumPyArithmetic.sum(UnsafeBufferPointer(rebasing: p[start..<end]))
            start = end
        }
    }
    return bandwidth / Double(m)
}

/// The k-th smallest value (k counted from 1); reorders `values`.
private func smallest(_ k: Int, in values: inout [Double]) -> Double {
    var low = 0
    var high = values.count - 1
    let target = k - 1
    while low < high {
        let pivot = values[(low + high) / 2]
        var i = low
        var j = high
        while i <= j {
            while values[i] < pivot { i += 1 }
            while values[j] > pivot { j -= 1 }
            if i <= j {
                values.swapAt(i, j)
                i += 1
                j -= 1
            }
        }
        if target <= j {
            high = j
        } else if target >= i {
            low = i
        } else {
            return values[target]
        }
    }
    return values[target]
}
