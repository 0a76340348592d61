import Foundation

/// Where the tests find the repository's fixtures and the shared data folder beside it.
public enum Repository {
    /// The repository's root, found from this file's path.
    public static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // TestSupport
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    /// The checked-in fixtures, `Tests/Fixtures`.
    public static let fixtures = root.appendingPathComponent("Tests/Fixtures")

    /// The path of a checked-in fixture.
    public static func fixture(_ name: String) -> String {
        fixtures.appendingPathComponent(name).path
    }

    /// `../shared/data` beside the repository: it holds the real capture, which is not part of
    /// the repository. Present on CI, absent on a plain clone.
    public static let sharedData = root.appendingPathComponent("../shared/data").standardizedFileURL

    /// Whether the real capture and its expectations are there; says plainly when they are not.
    public static var hasRealCapture: Bool {
        let present = ["events-real-1000.log", "events-real-1000.expect.json", "events-real-1000.sklearn.json"]
            .allSatisfy { FileManager.default.fileExists(atPath: sharedData.appendingPathComponent($0).path) }
        if !present {
            print("SKIPPED: the real capture events-real-1000.* is not in \(sharedData.path); its tests did not run")
        }
        return present
    }
}
