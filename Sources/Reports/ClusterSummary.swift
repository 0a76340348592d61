/// One group of a clustering run: a cluster, or the noise group (label -1).
public struct ClusterSummary: Sendable, Equatable {
    /// The label; -1 is noise.
    public var label: Int
    /// The number of covered events with this label.
    public var events: Int
    /// `events` divided by all events the run covers.
    public var share: Double
    /// One entry per clustering feature, in the order of `SensorEvent.featureNames`; empty when
    /// the group has no events.
    public var features: [FeatureStatistics]
    /// The cluster's center, one value per feature; `nil` for noise.
    public var center: [Double]?

    /// Whether this is the noise group.
    public var isNoise: Bool { label < 0 }

    /// The mean active power in watts, `nil` for a group without events.
    public var meanActivePower: Double? { features.first?.mean }

    /// Creates a summary.
    public init(label: Int, events: Int, share: Double, features: [FeatureStatistics], center: [Double]?) {
        self.label = label
        self.events = events
        self.share = share
        self.features = features
        self.center = center
    }
}
