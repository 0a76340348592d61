/// The outcome of a mean-shift clustering.
public struct MeanShiftResult: Equatable, Sendable {
    /// One label per input row: the index of its cluster in `clusterCenters`, or -1 for a row
    /// farther than the bandwidth from every center (when not clustering all rows).
    public let labels: [Int]
    /// The cluster centers, the most populated first.
    public let clusterCenters: [[Double]]
    /// The largest number of iterations any seed took (scikit-learn's `n_iter_`).
    public let iterations: Int

    /// Creates a result.
    public init(labels: [Int], clusterCenters: [[Double]], iterations: Int) {
        self.labels = labels
        self.clusterCenters = clusterCenters
        self.iterations = iterations
    }
}
