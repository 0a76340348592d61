/// A k-d tree laid out exactly like scikit-learn's `KDTree(X, leaf_size=30)` with the
/// euclidean metric: same nodes, same index order, same pruning tests.
///
/// Matching the layout is what makes results bit-identical: a radius query lists points in
/// the tree's index order, mean shift sums them in that order, and the pruning tests decide
/// points lying right on the radius the same way. The rows are also copied in tree order, so
/// a query reads memory sequentially.
final class KDTree {
    /// scikit-learn's default leaf size for `NearestNeighbors`.
    static let defaultLeafSize = 30

    let count: Int
    let dimensions: Int
    let nodeCount: Int
    /// Position in the tree → row index in the input (scikit-learn's `idx_array`).
    let order: UnsafeMutablePointer<Int>
    /// The rows, in tree order.
    let points: UnsafeMutablePointer<Double>
    private let lower: UnsafeMutablePointer<Double>
    private let upper: UnsafeMutablePointer<Double>
    private let nodeStart: UnsafeMutablePointer<Int>
    private let nodeEnd: UnsafeMutablePointer<Int>
    private let nodeIsLeaf: UnsafeMutablePointer<Bool>

    /// Builds the tree over `rows` rows of `columns` values.
    init(_ data: UnsafeBufferPointer<Double>, rows: Int, columns: Int, leafSize: Int = defaultLeafSize) {
        precondition(rows >= 1 && columns >= 1 && data.count == rows * columns)
        count = rows
        dimensions = columns
        let quotient = (rows - 1) / leafSize
        let levels = quotient >= 1 ? Int.bitWidth - quotient.leadingZeroBitCount : 1
        nodeCount = (1 << levels) - 1
        order = .allocate(capacity: rows)
        points = .allocate(capacity: rows * columns)
        lower = .allocate(capacity: nodeCount * columns)
        upper = .allocate(capacity: nodeCount * columns)
        nodeStart = .allocate(capacity: nodeCount)
        nodeEnd = .allocate(capacity: nodeCount)
        nodeIsLeaf = .allocate(capacity: nodeCount)
        nodeStart.initialize(repeating: 0, count: nodeCount)
        nodeEnd.initialize(repeating: 0, count: nodeCount)
        nodeIsLeaf.initialize(repeating: true, count: nodeCount)
        lower.initialize(repeating: .infinity, count: nodeCount * columns)
        upper.initialize(repeating: -.infinity, count: nodeCount * columns)
        for i in 0..<rows { (order + i).initialize(to: i) }
        points.initialize(from: data.baseAddress!, count: rows * columns)
        let scratch = UnsafeMutablePointer<Double>.allocate(capacity: rows * columns)
        let keys = UnsafeMutablePointer<SplitKey>.allocate(capacity: rows)
        build(node: 0, start: 0, end: rows, scratch: scratch, keys: keys)
        keys.deallocate()
        scratch.deallocate()
    }

    deinit {
        order.deallocate()
        points.deallocate()
        lower.deallocate()
        upper.deallocate()
        nodeStart.deallocate()
        nodeEnd.deallocate()
        nodeIsLeaf.deallocate()
    }

    /// Builds `node` over tree positions `start..<end`, whose rows `points` holds in the
    /// current order; each split reorders the rows with their indices, so reads stay sequential.
    private func build(
        node: Int, start: Int, end: Int, scratch: UnsafeMutablePointer<Double>, keys: UnsafeMutablePointer<SplitKey>
    ) {
        let d = dimensions
        let low = lower + node * d
        let high = upper + node * d
        for position in start..<end {
            let row = points + position * d
            for j in 0..<d {
                low[j] = min(low[j], row[j])
                high[j] = max(high[j], row[j])
            }
        }
        nodeStart[node] = start
        nodeEnd[node] = end
        if 2 * node + 1 >= nodeCount || end - start < 2 {
            nodeIsLeaf[node] = true
            return
        }
        nodeIsLeaf[node] = false
        // The dimension of largest spread among this node's points; the first one wins ties.
        // The node's bounds are exactly the per-dimension maximum and minimum.
        var splitDimension = 0
        var largestSpread = 0.0
        for j in 0..<d {
            let spread = high[j] - low[j]
            if spread > largestSpread {
                largestSpread = spread
                splitDimension = j
            }
        }
        let pointCount = end - start
        let middle = pointCount / 2
        for k in 0..<pointCount {
            let position = start + k
            keys[k] = SplitKey(value: points[position * d + splitDimension], index: order[position], position: position)
        }
        KDTree.selectNth(keys, count: pointCount, nth: middle)
        for k in 0..<pointCount {
            order[start + k] = keys[k].index
            (scratch + k * d).update(from: points + keys[k].position * d, count: d)
        }
        (points + start * d).update(from: scratch, count: pointCount * d)
        build(node: 2 * node + 1, start: start, end: start + middle, scratch: scratch, keys: keys)
        build(node: 2 * node + 2, start: start + middle, end: end, scratch: scratch, keys: keys)
    }

    // MARK: Radius queries

    /// Calls `visitor` for every point within `radius` of `query`, in scikit-learn's order,
    /// deciding each point as `query_radius` does.
    func radiusQuery<V: RadiusVisitor>(_ query: UnsafePointer<Double>, radius: Double, _ visitor: inout V) {
        radiusQuery(node: 0, query, radius, radius * radius, &visitor)
    }

    private func radiusQuery<V: RadiusVisitor>(
        node: Int, _ query: UnsafePointer<Double>, _ radius: Double, _ squaredRadius: Double, _ visitor: inout V
    ) {
        let d = dimensions
        let low = lower + node * d
        let high = upper + node * d
        var minimum = 0.0
        var maximum = 0.0
        for j in 0..<d {
            let belowLow = low[j] - query[j]
            let aboveHigh = query[j] - high[j]
            let gap = 0.5 * ((belowLow + abs(belowLow)) + (aboveHigh + abs(aboveHigh)))
            minimum += gap * gap
            let far = max(abs(belowLow), abs(aboveHigh))
            maximum += far * far
        }
        if minimum.squareRoot() > radius { return }
        let start = nodeStart[node]
        let end = nodeEnd[node]
        if maximum.squareRoot() <= radius {
            visitor.visit(positions: start..<end, tree: self)
        } else if nodeIsLeaf[node] {
            for position in start..<end
            where NumPyArithmetic.squaredDistance(query, points + position * d, d) <= squaredRadius {
                visitor.visit(position: position, tree: self)
            }
        } else {
            radiusQuery(node: 2 * node + 1, query, radius, squaredRadius, &visitor)
            radiusQuery(node: 2 * node + 2, query, radius, squaredRadius, &visitor)
        }
    }

    // MARK: Nearest neighbour

    /// The nearest point to `query` as `query(X, k=1)` finds it: the smallest squared distance,
    /// the first point met in the depth-first walk winning ties.
    /// - Returns: the squared distance and the input row index.
    func nearest(_ query: UnsafePointer<Double>) -> (squaredDistance: Double, row: Int) {
        var best = Double.infinity
        var bestPosition = -1
        nearest(node: 0, query, lowerBound: minimumSquaredDistance(node: 0, query), &best, &bestPosition)
        return (best, bestPosition >= 0 ? order[bestPosition] : 0)
    }

    private func nearest(
        node: Int, _ query: UnsafePointer<Double>, lowerBound: Double, _ best: inout Double, _ bestPosition: inout Int
    ) {
        if lowerBound > best { return }
        if nodeIsLeaf[node] {
            for position in nodeStart[node]..<nodeEnd[node] {
                let distance = NumPyArithmetic.squaredDistance(query, points + position * dimensions, dimensions)
                if distance < best {
                    best = distance
                    bestPosition = position
                }
            }
            return
        }
        let left = 2 * node + 1
        let right = left + 1
        let leftBound = minimumSquaredDistance(node: left, query)
        let rightBound = minimumSquaredDistance(node: right, query)
        if leftBound <= rightBound {
            nearest(node: left, query, lowerBound: leftBound, &best, &bestPosition)
            nearest(node: right, query, lowerBound: rightBound, &best, &bestPosition)
        } else {
            nearest(node: right, query, lowerBound: rightBound, &best, &bestPosition)
            nearest(node: left, query, lowerBound: leftBound, &best, &bestPosition)
        }
    }

    private func minimumSquaredDistance(node: Int, _ query: UnsafePointer<Double>) -> Double {
        let d = dimensions
        let low = lower + node * d
        let high = upper + node * d
        var result = 0.0
        for j in 0..<d {
            let belowLow = low[j] - query[j]
            let aboveHigh = query[j] - high[j]
            let gap = 0.5 * ((belowLow + abs(belowLow)) + (aboveHigh + abs(aboveHigh)))
            result += gap * gap
        }
        return result
    }
}

/// Receives the points a radius query finds, by their position in the tree.
protocol RadiusVisitor {
    /// A whole node lies within the radius.
    mutating func visit(positions: Range<Int>, tree: KDTree)
    /// One point lies within the radius.
    mutating func visit(position: Int, tree: KDTree)
}
