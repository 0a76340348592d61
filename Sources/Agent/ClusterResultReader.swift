import EventStore
import Foundation

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
        let bytes = try FileReader.readAll(path: path, limit: 1 << 30)
        return try decode(bytes, events: events)
    }

    static func decode(_ bytes: [UInt8], events: Int) throws -> ClusterOutcome {
        guard !bytes.isEmpty else { throw InvalidResult(reason: "it wrote nothing") }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes))
        } catch {
            let start = String(decoding: bytes.prefix(60), as: UTF8.self)
            throw InvalidResult(reason: "not JSON (starts with \"\(start)\")")
        }
        guard let result = object as? [String: Any] else { throw InvalidResult(reason: "not a JSON object") }
        guard let labelValues = result["labels"] as? [NSNumber] else {
            throw InvalidResult(reason: "\"labels\" is missing or not a list of integers")
        }
        guard let bandwidth = (result["bandwidth"] as? NSNumber)?.doubleValue, bandwidth.isFinite, bandwidth > 0 else {
            throw InvalidResult(reason: "\"bandwidth\" is missing or not a positive number")
        }
        guard let centerValues = result["cluster_centers"] as? [[NSNumber]] else {
            throw InvalidResult(reason: "\"cluster_centers\" is missing or not a list of lists of numbers")
        }
        let iterations = (result["n_iter"] as? NSNumber)?.intValue ?? 0
        let seconds = (result["seconds"] as? NSNumber)?.doubleValue
        guard labelValues.count == events else {
            throw InvalidResult(reason: "\(labelValues.count) labels for \(events) events")
        }
        let centers = centerValues.map { $0.map(\.doubleValue) }
        if let bad = centers.firstIndex(where: { $0.count != 8 || !$0.allSatisfy(\.isFinite) }) {
            throw InvalidResult(reason: "center \(bad) does not have 8 finite values")
        }
        var labels: [Int] = []
        labels.reserveCapacity(events)
        for value in labelValues {
            let label = value.intValue
            guard Double(label) == value.doubleValue, label >= -1, label < centers.count else {
                throw InvalidResult(reason: "label \(value) is not -1 or a cluster index below \(centers.count)")
            }
            labels.append(label)
        }
        return ClusterOutcome(labels: labels, bandwidth: bandwidth, iterations: iterations, centers: centers, seconds: seconds)
    }
}
