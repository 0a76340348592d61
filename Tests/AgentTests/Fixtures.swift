import Foundation
import TestSupport

/// Paths of the repository's test fixtures and of the shared data folder beside the repository.
enum Fixtures {
    static func path(_ name: String) -> String {
        Repository.fixture(name)
    }

    static func json(_ path: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
