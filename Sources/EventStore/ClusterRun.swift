/// One clustering run as the `cluster_runs` table records it.
public struct ClusterRun: Sendable, Equatable {
    /// The state of a run.
    public enum Status: String, Sendable {
        case running, succeeded, failed
    }

    public var id: Int64
    public var deviceID: Int64
    /// The number of events the run covers: the device's first `events` events in id order.
    public var events: Int
    public var firstEventID: Int64?
    public var lastEventID: Int64?
    public var status: Status
    public var bandwidth: Double?
    public var iterations: Int?
    public var clusters: Int?
    /// The clustering child's own measure of its work, in seconds.
    public var seconds: Double?
    public var startedAt: String
    public var finishedAt: String?
    public var command: String
    public var error: String?
}

/// What a finished clustering child returned, ready to be stored.
public struct ClusterOutcome: Sendable {
    /// One label per covered event, in id order; -1 is noise.
    public var labels: [Int]
    public var bandwidth: Double
    public var iterations: Int
    /// The centers, 8 values each, indexed by label.
    public var centers: [[Double]]
    public var seconds: Double?

    /// Creates an outcome.
    public init(labels: [Int], bandwidth: Double, iterations: Int, centers: [[Double]], seconds: Double?) {
        self.labels = labels
        self.bandwidth = bandwidth
        self.iterations = iterations
        self.centers = centers
        self.seconds = seconds
    }
}

/// The clustering input of one device: event ids and their features, row-major, 8 per event.
public struct FeatureRows: Sendable {
    public var eventIDs: [Int64]
    public var values: [Double]

    /// The number of events.
    public var count: Int { eventIDs.count }
}
