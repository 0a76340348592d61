import Foundation

/// Paths of the repository's test fixtures and of the shared data folder beside the repository.
enum Fixtures {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func path(_ name: String) -> String {
        repository.appendingPathComponent("Tests/Fixtures/\(name)").path
    }

    /// `../shared/data`, present on CI, absent on a plain clone.
    static let sharedData = repository.deletingLastPathComponent().appendingPathComponent("shared/data").path

    static var hasSharedData: Bool {
        FileManager.default.fileExists(atPath: sharedData + "/events-real-1000.log")
    }

    static func json(_ path: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
