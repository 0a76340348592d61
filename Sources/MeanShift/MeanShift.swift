/// Mean-shift clustering with a flat kernel, giving the labels scikit-learn's
/// `MeanShift(bandwidth=…, bin_seeding=…, cluster_all=…).fit_predict(X)` gives, bit for bit.
///
/// Every seed climbs to the mean of the points within the bandwidth until it moves by at most
/// 1e-3 × bandwidth (or `maxIterations` is reached); centers are ranked by how many points
/// they hold, near-duplicates within the bandwidth of a better center are dropped, and each
/// row takes the label of its nearest center.
public struct MeanShift: Sendable {
    /// The kernel radius; must be finite and greater than 0.
    public var bandwidth: Double
    /// Seeds from a grid of cell size `bandwidth` rather than from every row.
    public var binSeeding: Bool
    /// Label every row, even those farther than the bandwidth from every center.
    public var clusterAll: Bool
    /// The fewest rows a grid cell needs to become a seed.
    public var minBinFrequency: Int
    /// The most iterations per seed.
    public var maxIterations: Int

    /// Creates a clusterer; the defaults are those of the product's reference call.
    public init(
        bandwidth: Double, binSeeding: Bool = true, clusterAll: Bool = false,
        minBinFrequency: Int = 1, maxIterations: Int = 300
    ) {
        self.bandwidth = bandwidth
        self.binSeeding = binSeeding
        self.clusterAll = clusterAll
        self.minBinFrequency = minBinFrequency
        self.maxIterations = maxIterations
    }

    /// Clusters the rows of `data`.
    /// - Parameter data: the samples, one per row; at least one row and one column, all finite.
    /// - Returns: labels, centers and the iteration count.
    /// - Throws: `MeanShiftError` for a bad bandwidth or data, or when no seed reaches any row.
    public func fit(_ data: FeatureMatrix) throws -> MeanShiftResult {
        try Self.validate(data)
        guard bandwidth.isFinite, bandwidth > 0 else {
            throw MeanShiftError(
                .invalidBandwidth,
                "the bandwidth must be a finite number greater than 0, got \(bandwidth)"
                    + " (too few distinct rows to estimate one?)")
        }
        guard maxIterations >= 0, minBinFrequency >= 1 else {
            throw MeanShiftError(.invalidParameter, "maxIterations must be ≥ 0 and minBinFrequency ≥ 1")
        }
        let n = data.rows
        let d = data.columns
        return try data.values.withUnsafeBufferPointer { values -> MeanShiftResult in
            let seeds = binSeeding ? binSeeds(values, rows: n, columns: d) : data.values
            let seedCount = seeds.count / d
            guard seedCount > 0 else {
                throw MeanShiftError(
                    .noPointNearSeeds, "no grid cell holds \(minBinFrequency) rows; lower the minimum bin frequency")
            }
            // NearestNeighbors(radius=bandwidth) keeps its default n_neighbors of 5.
            let index = NeighborIndex(values, rows: n, columns: d, neighbors: 5)
            var centers: [[Double]] = []
            var populations: [Int] = []
            var positionOfCenter: [[Double]: Int] = [:]
            var iterations = 0
            seeds.withUnsafeBufferPointer { seedValues in
                for s in 0..<seedCount {
                    let climb = climb(from: seedValues.baseAddress! + s * d, columns: d, index: index)
                    iterations = max(iterations, climb.iterations)
                    guard climb.population > 0 else { continue }
                    if let existing = positionOfCenter[climb.center] {
                        populations[existing] = climb.population
                    } else {
                        positionOfCenter[climb.center] = centers.count
                        centers.append(climb.center)
                        populations.append(climb.population)
                    }
                }
            }
            guard !centers.isEmpty else {
                throw MeanShiftError(
                    .noPointNearSeeds, "no row lies within the bandwidth \(bandwidth) of any seed")
            }
            let kept = suppressNearDuplicates(centers: centers, populations: populations, columns: d)
            let labels = label(values, rows: n, columns: d, centers: kept)
            return MeanShiftResult(labels: labels, clusterCenters: kept, iterations: iterations)
        }
    }

    static func validate(_ data: FeatureMatrix) throws {
        guard data.rows > 0, data.columns > 0 else {
            throw MeanShiftError(
                .emptyData, "the data must have at least one row and one column, got \(data.rows)×\(data.columns)")
        }
        if let (row, column) = data.firstNonFiniteValue {
            throw MeanShiftError(
                .nonFiniteValue,
                "row \(row + 1), column \(column + 1): expected a finite number, got \(data[row, column])")
        }
    }

    /// The seeds of bin seeding: each occupied grid cell (round-half-even of x / bandwidth),
    /// in order of first appearance, scaled back by the bandwidth; the rows themselves when
    /// every row has a cell of its own.
    private func binSeeds(_ values: UnsafeBufferPointer<Double>, rows n: Int, columns d: Int) -> [Double] {
        // Adding 0.0 turns -0.0 into 0.0: both name the same cell, as equal dict keys do.
        @inline(__always) func cell(_ row: Int, _ j: Int) -> Double {
            (values[row * d + j] / bandwidth).rounded(.toNearestOrEven) + 0.0
        }
        var table = [Int](repeating: -1, count: max(16, (2 * n).nextPowerOfTwo))
        let mask = table.count - 1
        var binCells: [Double] = []
        var frequencies: [Int] = []
        var current = [Double](repeating: 0, count: d)
        for i in 0..<n {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for j in 0..<d {
                current[j] = cell(i, j)
                hash = (hash ^ current[j].bitPattern) &* 0x0000_0100_0000_01b3
                hash ^= hash >> 29
            }
            var slot = Int(truncatingIfNeeded: hash) & mask
            while true {
                let bin = table[slot]
                if bin < 0 {
                    table[slot] = frequencies.count
                    binCells.append(contentsOf: current)
                    frequencies.append(1)
                    break
                }
                var same = true
                for j in 0..<d where current[j] != binCells[bin * d + j] {
                    same = false
                    break
                }
                if same {
                    frequencies[bin] += 1
                    break
                }
                slot = (slot + 1) & mask
            }
        }
        var seeds: [Double] = []
        var seedCount = 0
        for bin in frequencies.indices where frequencies[bin] >= minBinFrequency {
            for j in 0..<d { seeds.append(binCells[bin * d + j] * bandwidth) }
            seedCount += 1
        }
        return seedCount == n ? Array(values) : seeds
    }

    /// Climbs from one seed; returns the final mean, the number of rows within the bandwidth
    /// of the mean before it (0 when the seed reached none), and the completed iterations.
    private func climb(
        from seed: UnsafePointer<Double>, columns d: Int, index: NeighborIndex
    ) -> (center: [Double], population: Int, iterations: Int) {
        let stopThreshold = 1e-3 * bandwidth
        var mean = Array(UnsafeBufferPointer(start: seed, count: d))
        var previous = mean
        var sums = [Double](repeating: 0, count: d)
        var completed = 0
        var population = 0
        while true {
            for j in 0..<d { sums[j] = 0 }
            let found = sums.withUnsafeMutableBufferPointer { s in
                mean.withUnsafeBufferPointer { m in
                    index.sumWithin(m.baseAddress!, radius: bandwidth, into: s.baseAddress!)
                }
            }
            population = found
            if found == 0 { break }
            swap(&previous, &mean)
            let divisor = Double(found)
            for j in 0..<d { mean[j] = sums[j] / divisor }
            // np.linalg.norm of the shift: the square root of a BLAS dot product.
            var squaredShift = 0.0
            for j in 0..<d {
                let shift = mean[j] - previous[j]
                squaredShift = squaredShift.addingProduct(shift, shift)
            }
            if squaredShift.squareRoot() <= stopThreshold || completed == maxIterations { break }
            completed += 1
        }
        return (mean, population, completed)
    }

    /// Ranks centers by (population, coordinates), both descending, and walks that order: a
    /// center still standing removes every center within the bandwidth of it.
    private func suppressNearDuplicates(centers: [[Double]], populations: [Int], columns d: Int) -> [[Double]] {
        let ranking = centers.indices.sorted { a, b in
            if populations[a] != populations[b] { return populations[a] > populations[b] }
            return centers[b].lexicographicallyPrecedes(centers[a])
        }
        let sorted = ranking.map { centers[$0] }
        let flat = sorted.flatMap { $0 }
        var unique = [Bool](repeating: true, count: sorted.count)
        flat.withUnsafeBufferPointer { p in
            // NearestNeighbors(radius=bandwidth) again, with its default n_neighbors of 5.
            let index = NeighborIndex(p, rows: sorted.count, columns: d, neighbors: 5)
            for i in sorted.indices where unique[i] {
                for j in index.rowsWithin(p.baseAddress! + i * d, radius: bandwidth) { unique[j] = false }
                unique[i] = true
            }
        }
        return sorted.indices.filter { unique[$0] }.map { sorted[$0] }
    }

    /// The nearest center of every row, or -1 beyond the bandwidth unless `clusterAll`.
    private func label(_ values: UnsafeBufferPointer<Double>, rows n: Int, columns d: Int, centers: [[Double]]) -> [Int] {
        let flat = centers.flatMap { $0 }
        return flat.withUnsafeBufferPointer { p in
            let index = NeighborIndex(p, rows: centers.count, columns: d, neighbors: 1)
            var labels = [Int](repeating: -1, count: n)
            for i in 0..<n {
                let nearest = index.nearest(values.baseAddress! + i * d)
                if clusterAll || nearest.distance <= bandwidth { labels[i] = nearest.row }
            }
            return labels
        }
    }
}

extension Int {
    fileprivate var nextPowerOfTwo: Int {
        self <= 1 ? 1 : 1 << (Int.bitWidth - (self - 1).leadingZeroBitCount)
    }
}
