import ClusterProtocol
import EventStore

/// Reads and checks the JSON object a clustering child wrote:
/// `{"labels": [...], "bandwidth": x, "cluster_centers": [[...]], "n_iter": n, "seconds": s}`.
enum ClusterResultReader {
    /// A result that does not hold what the protocol promises.
    struct InvalidResult: Error, CustomStringConvertible {
        var reason: String
        var description: String { "invalid result from the clustering program: \(reason)" }
    }

    /// Reads a result file.
    /// - Parameters:
    ///   - path: the file the child's standard output went to.
    ///   - events: the number of events the child was given.
    static func read(path: String, events: Int) throws -> ClusterOutcome {
        try decode(try FileReader.readAll(path: path, limit: 1 << 30), events: events)
    }

    static func decode(_ bytes: [UInt8], events: Int) throws -> ClusterOutcome {
        guard !bytes.isEmpty else { throw InvalidResult(reason: "it wrote nothing") }
        let result: ClusterResult
        do {
            result = try ClusterResultJSON.decode(bytes)
        } catch {
            let start = String(decoding: bytes.prefix(40), as: UTF8.self)
            throw InvalidResult(reason: "\(error.description) (output starts with \"\(start)\")")
        }
        guard result.bandwidth.isFinite, result.bandwidth > 0 else {
            throw InvalidResult(reason: "bandwidth \(result.bandwidth) is not a positive number")
        }
        guard result.labels.count == events else {
            throw InvalidResult(reason: "\(result.labels.count) labels for \(events) events")
        }
        let centers = result.clusterCenters
        if let bad = centers.firstIndex(where: { $0.count != 8 || !$0.allSatisfy(\.isFinite) }) {
            throw InvalidResult(reason: "center \(bad) does not have 8 finite values")
        }
        if let bad = result.labels.first(where: { $0 < -1 || $0 >= centers.count }) {
            throw InvalidResult(reason: "label \(bad) is not -1 or a cluster index below \(centers.count)")
        }
        return ClusterOutcome(
            labels: result.labels, bandwidth: result.bandwidth, iterations: result.iterations, centers: centers,
            seconds: result.seconds)
    }
}
