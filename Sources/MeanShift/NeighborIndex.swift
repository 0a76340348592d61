/// Neighbour queries that decide and order results exactly as scikit-learn's
/// `NearestNeighbors(n_neighbors=k).fit(X)` does with its default `algorithm="auto"`.
///
/// scikit-learn picks brute force when `k >= n // 2` or when there are more than 15 features,
/// and a k-d tree otherwise. The two compute distances differently (brute force expands
/// ‖x − y‖² with BLAS dot products; the tree sums squared differences), so each path is kept.
final class NeighborIndex {
    private enum Storage {
        case tree(KDTree)
        case bruteForce(points: [Double], squaredNorms: [Double])
    }

    private let storage: Storage
    let count: Int
    let dimensions: Int

    /// Indexes `rows` rows of `columns` values.
    /// - Parameter neighbors: the `n_neighbors` scikit-learn would be given, which decides
    ///   between brute force and the tree.
    init(_ data: UnsafeBufferPointer<Double>, rows: Int, columns: Int, neighbors: Int) {
        count = rows
        dimensions = columns
        if Self.usesBruteForce(neighbors: neighbors, rows: rows, columns: columns) {
            let points = Array(data)
            var norms = [Double](repeating: 0, count: rows)
            points.withUnsafeBufferPointer { p in
                for i in 0..<rows {
                    let row = p.baseAddress! + i * columns
                    norms[i] = NumPyArithmetic.fusedDot(row, row, columns)
                }
            }
            storage = .bruteForce(points: points, squaredNorms: norms)
        } else {
            storage = .tree(KDTree(data, rows: rows, columns: columns))
        }
    }

    /// Whether scikit-learn's `algorithm="auto"` chooses brute force.
    static func usesBruteForce(neighbors: Int, rows: Int, columns: Int) -> Bool {
        columns > 15 || neighbors >= rows / 2
    }

    /// Adds up the points within `radius` of `query` in the order scikit-learn lists them.
    /// - Parameters:
    ///   - sums: `dimensions` accumulators, added to one point after the other.
    /// - Returns: the number of points found.
    func sumWithin(_ query: UnsafePointer<Double>, radius: Double, into sums: UnsafeMutablePointer<Double>) -> Int {
        switch storage {
        case .tree(let tree):
            if dimensions == 8 {
                var visitor = EightColumnSum()
                tree.radiusQuery(query, radius: radius, &visitor)
                for j in 0..<8 { sums[j] += visitor.sums[j] }
                return visitor.count
            }
            var visitor = ColumnSum(sums: sums, dimensions: dimensions)
            tree.radiusQuery(query, radius: radius, &visitor)
            return visitor.count
        case .bruteForce(let points, let norms):
            return points.withUnsafeBufferPointer { p in
                var found = 0
                let d = dimensions
                let queryNorm = NumPyArithmetic.fusedDot(query, query, d)
                let squaredRadius = radius * radius
                for i in 0..<count {
                    let row = p.baseAddress! + i * d
                    let distance = NumPyArithmetic.gemmSquaredDistance(
                        query, xNorm: queryNorm, row, yNorm: norms[i], d)
                    if distance <= squaredRadius {
                        for j in 0..<d { sums[j] += row[j] }
                        found += 1
                    }
                }
                return found
            }
        }
    }

    /// The rows within `radius` of `query`, as a set (order not meaningful).
    func rowsWithin(_ query: UnsafePointer<Double>, radius: Double) -> [Int] {
        switch storage {
        case .tree(let tree):
            var visitor = RowCollector()
            tree.radiusQuery(query, radius: radius, &visitor)
            return visitor.rows
        case .bruteForce(let points, let norms):
            return points.withUnsafeBufferPointer { p in
                var rows: [Int] = []
                let d = dimensions
                let queryNorm = NumPyArithmetic.fusedDot(query, query, d)
                let squaredRadius = radius * radius
                for i in 0..<count {
                    let distance = NumPyArithmetic.gemmSquaredDistance(
                        query, xNorm: queryNorm, p.baseAddress! + i * d, yNorm: norms[i], d)
                    if distance <= squaredRadius { rows.append(i) }
                }
                return rows
            }
        }
    }

    /// The nearest row to `query` and its distance, ties going to the row scikit-learn picks.
    func nearest(_ query: UnsafePointer<Double>) -> (distance: Double, row: Int) {
        switch storage {
        case .tree(let tree):
            let found = tree.nearest(query)
            return (found.squaredDistance.squareRoot(), found.row)
        case .bruteForce(let points, let norms):
            return points.withUnsafeBufferPointer { p in
                let d = dimensions
                let queryNorm = NumPyArithmetic.fusedDot(query, query, d)
                var best = Double.infinity
                var bestRow = 0
                for i in 0..<count {
                    let distance = NumPyArithmetic.gemmSquaredDistance(
                        query, xNorm: queryNorm, p.baseAddress! + i * d, yNorm: norms[i], d)
                    if distance < best {
                        best = distance
                        bestRow = i
                    }
                }
                return (best.squareRoot(), bestRow)
            }
        }
    }
}

/// Sums eight-column rows lane by lane, which keeps NumPy's row-by-row order per column.
private struct EightColumnSum: RadiusVisitor {
    var sums = SIMD8<Double>(repeating: 0)
    var count = 0

    mutating func visit(positions: Range<Int>, tree: KDTree) {
        let base = UnsafeRawPointer(tree.points)
        var total = sums
        for position in positions {
            total += base.loadUnaligned(fromByteOffset: position * 64, as: SIMD8<Double>.self)
        }
        sums = total
        count += positions.count
    }

    mutating func visit(position: Int, tree: KDTree) {
        sums += UnsafeRawPointer(tree.points).loadUnaligned(fromByteOffset: position * 64, as: SIMD8<Double>.self)
        count += 1
    }
}

/// Sums rows of any width, column by column.
private struct ColumnSum: RadiusVisitor {
    let sums: UnsafeMutablePointer<Double>
    let dimensions: Int
    var count = 0

    init(sums: UnsafeMutablePointer<Double>, dimensions: Int) {
        self.sums = sums
        self.dimensions = dimensions
    }

    mutating func visit(positions: Range<Int>, tree: KDTree) {
        for position in positions { visit(position: position, tree: tree) }
    }

    mutating func visit(position: Int, tree: KDTree) {
        let row = tree.points + position * dimensions
        for j in 0..<dimensions { sums[j] += row[j] }
        count += 1
    }
}

/// Collects the input row indices a radius query finds.
private struct RowCollector: RadiusVisitor {
    var rows: [Int] = []

    mutating func visit(positions: Range<Int>, tree: KDTree) {
        for position in positions { rows.append(tree.order[position]) }
    }

    mutating func visit(position: Int, tree: KDTree) {
        rows.append(tree.order[position])
    }
}
