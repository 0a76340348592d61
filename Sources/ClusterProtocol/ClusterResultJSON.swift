import MeanShift

/// Writes the result object of the clustering protocol:
/// `{"labels": [...], "bandwidth": x, "cluster_centers": [[...]], "n_iter": n, "seconds": s}`.
///
/// Numbers are written in their shortest form that reads back to the same double.
public enum ClusterResultJSON {
    /// Encodes a result as one line of JSON (without a final newline).
    /// - Parameters:
    ///   - result: the clustering result.
    ///   - bandwidth: the bandwidth used.
    ///   - seconds: the time the clustering took.
    /// - Returns: the JSON text.
    public static func encode(_ result: MeanShiftResult, bandwidth: Double, seconds: Double) -> String {
        var text = "{\"labels\": ["
        text.reserveCapacity(result.labels.count * 3 + result.clusterCenters.count * 200 + 100)
        for (index, label) in result.labels.enumerated() {
            if index > 0 { text += ", " }
            text += String(label)
        }
        text += "], \"bandwidth\": " + number(bandwidth) + ", \"cluster_centers\": ["
        for (index, center) in result.clusterCenters.enumerated() {
            if index > 0 { text += ", " }
            text += "[" + center.map(number).joined(separator: ", ") + "]"
        }
        text += "], \"n_iter\": \(result.iterations), \"seconds\": " + number(seconds) + "}"
        return text
    }

    /// A double as JSON: the shortest round-trip form; non-finite values become `null`.
    public static func number(_ value: Double) -> String {
        value.isFinite ? value.description : "null"
    }
}
