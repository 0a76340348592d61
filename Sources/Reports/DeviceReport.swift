import EventStore

/// What the reports say about one device: its latest succeeded clustering run and the events
/// that run labelled.
///
/// A pure function of the database: ``ReportBuilder`` makes it, the renderers turn it into files.
public struct DeviceReport: Sendable {
    /// The events of the run, reduced to what the scatter plot draws, in id order.
    public struct Points: Sendable, Equatable {
        public var labels: [Int]
        /// Active power in watts.
        public var activePower: [Double]
        /// Current in amperes.
        public var current: [Double]

        /// Creates an empty set of points.
        public init() {
            labels = []
            activePower = []
            current = []
        }

        /// The number of points.
        public var count: Int { labels.count }
    }

    /// The format version of `summary.json`.
    public static let schemaVersion = 1

    /// The device id.
    public var device: Int64
    /// The run the report describes: the device's latest succeeded run.
    public var run: ClusterRun
    /// The number of events the run labelled.
    public var events: Int
    /// The earliest and latest sensor time (`measured_at`) among those events, ISO 8601 UTC.
    public var measuredFrom: String?
    public var measuredTo: String?
    /// The noise group first (when it has events), then the clusters by ascending label. Every
    /// cluster with a center is listed, even one that no event ended up in.
    public var clusters: [ClusterSummary]
    /// Every labelled event as a point.
    public var points: Points

    /// Creates a report from its parts.
    public init(
        device: Int64, run: ClusterRun, events: Int, measuredFrom: String?, measuredTo: String?,
        clusters: [ClusterSummary], points: Points
    ) {
        self.device = device
        self.run = run
        self.events = events
        self.measuredFrom = measuredFrom
        self.measuredTo = measuredTo
        self.clusters = clusters
        self.points = points
    }

    /// The groups that have events, in report order: the keys of the flat JSON files.
    public var populatedClusters: [ClusterSummary] { clusters.filter { $0.events > 0 } }

    /// The number of events labelled as noise.
    public var noiseEvents: Int { clusters.first(where: \.isNoise)?.events ?? 0 }

    /// The number of real clusters (the noise group not counted).
    public var clusterCount: Int { clusters.filter { !$0.isNoise }.count }
}
