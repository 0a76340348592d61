/// The mean, extremes and spread of one feature over the events of a cluster.
public struct FeatureStatistics: Sendable, Equatable {
    /// The arithmetic mean, summed in NumPy's order so that it equals `numpy.mean`.
    public var mean: Double
    public var min: Double
    public var max: Double
    /// The population standard deviation (ddof = 0), as `numpy.std` computes it.
    public var standardDeviation: Double

    /// Creates statistics from their values.
    public init(mean: Double, min: Double, max: Double, standardDeviation: Double) {
        self.mean = mean
        self.min = min
        self.max = max
        self.standardDeviation = standardDeviation
    }

    /// The statistics of a non-empty list of values.
    public init(of values: [Double]) {
        precondition(!values.isEmpty, "statistics of no values")
        mean = PairwiseSum.mean(values)
        min = values.min()!
        max = values.max()!
        standardDeviation = PairwiseSum.standardDeviation(values, mean: mean)
    }
}
