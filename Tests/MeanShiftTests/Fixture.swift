import Foundation
import TestSupport
import Testing

/// Reads the committed fixtures and the shared test data.
enum Fixture {
    static let fixtures = Repository.fixtures
    static let sharedData = Repository.sharedData

    static var sharedDataPresent: Bool { Repository.hasRealCapture }

    struct Run {
        let events: Int
        let bandwidth: Double
        let labels: [Int]
        let centers: [[Double]]
        let iterations: Int
    }

    static func url(_ stem: String, _ suffix: String, shared: Bool = false) -> URL {
        (shared ? sharedData : fixtures).appendingPathComponent(stem + suffix)
    }

    /// The features of the valid lines, in order.
    static func features(_ stem: String, shared: Bool = false) throws -> [[Double]] {
        let data = try Data(contentsOf: url(stem, ".expect.json", shared: shared))
        let lines = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        return lines.compactMap { line in
            (line["valid"] as? Bool ?? true) ? (line["features"] as? [NSNumber])?.map(\.doubleValue) : nil
        }
    }

    static func runs(_ stem: String, shared: Bool = false) throws -> [Run] {
        let data = try Data(contentsOf: url(stem, ".sklearn.json", shared: shared))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let runs = try #require(object["runs"] as? [[String: Any]])
        return try runs.map { run in
            Run(
                events: try #require(run["events"] as? Int),
                bandwidth: try #require((run["bandwidth"] as? NSNumber)?.doubleValue),
                labels: try #require(run["labels"] as? [Int]),
                centers: try #require(run["centers"] as? [[NSNumber]]).map { $0.map(\.doubleValue) },
                iterations: try #require(run["n_iter"] as? Int))
        }
    }
}
