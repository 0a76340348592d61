import Agent
import EventStore
import Foundation
import SensorFormat
import TestSupport
import Testing

@Suite struct ReplayTests {
    let directory = TemporaryDirectory()
    var dataDir: String { directory.path + "/data" }

    func replay(_ arguments: [String]) throws -> ExitCode {
        try ReplayCommand.main(["--data-dir", dataDir, "--cluster-every", "0", "--quiet"] + arguments)
    }

    func openStore() throws -> EventStore { try EventStore(path: dataDir + "/energy.db") }

    @Test func dirtyCaptureStoresEveryValidLineExactlyAndRejectsEveryOtherWithAReason() throws {
        #expect(try replay([Fixtures.path("household-dirty-2000.log")]) == .success)
        let expected = try #require(try Fixtures.json(Fixtures.path("household-dirty-2000.expect.json")) as? [[String: Any]])
        let store = try openStore()
        defer { store.close() }
        var stored: [Int: [Double]] = [:]
        try store.forEachEvent(device: nil) { stored[$0.sourceLine!] = $0.event.features }
        var rejected: [Int: EventStore.RejectedLine] = [:]
        try store.forEachRejectedLine { rejected[$0.sourceLine!] = $0 }
        #expect(stored.count + rejected.count == expected.count)
        for (index, line) in expected.enumerated() {
            let number = index + 1
            if line["valid"] as? Bool == true {
                let features = try #require(line["features"] as? [Double])
                #expect(stored[number] == features, "line \(number)")
            } else {
                let rejection = try #require(rejected[number], "line \(number) should be rejected")
                #expect(!rejection.reason.isEmpty)
                #expect(rejection.reason.hasPrefix(rejection.field + ": "))
            }
        }
    }

    @Test func replayingTheSameCaptureTwiceStoresNoNewRow() throws {
        let capture = Fixtures.path("household-dirty-2000.log")
        #expect(try replay([capture]) == .success)
        let store = try openStore()
        let first = try store.totals()
        store.close()
        #expect(try replay([capture]) == .success)
        let again = try openStore()
        defer { again.close() }
        #expect(try again.totals() == first)
        #expect(try again.database.integer("SELECT min(times_seen) FROM events") == 2)
        #expect(try again.database.integer("SELECT min(times_seen) FROM rejected_lines") >= 2)
    }

    @Test func aMissingFileIsAClearErrorBeforeAnythingIsStored() throws {
        #expect {
            try replay([Fixtures.path("household-3000.log"), directory.path + "/nope.log"])
        } throws: { error in
            let error = error as? CommandError
            return error?.code == .noInput && error?.message == "cannot open \(directory.path)/nope.log: No such file or directory"
        }
        #expect(!FileManager.default.fileExists(atPath: dataDir + "/energy.db"))
    }

    @Test func usageErrorsExitWith64() {
        #expect(AgentCommand.main(["replay"]) == .usage)
        #expect(AgentCommand.main(["replay", "--bogus", "x"]) == .usage)
        #expect(AgentCommand.main(["replay", "--cluster-every", "-1", "x"]) == .usage)
        #expect(AgentCommand.main(["frobnicate"]) == .usage)
        #expect(AgentCommand.main(["export", "--format", "xml"]) == .usage)
        #expect(AgentCommand.main(["--help"]) == .success)
    }
}

@Suite struct CommandSplitTests {
    @Test(arguments: [
        ("energy-cluster", ["energy-cluster"]),
        ("python3  tools/sklearn-meanshift --csv", ["python3", "tools/sklearn-meanshift", "--csv"]),
        ("'/opt/my tools/x' \"a b\" c\\ d", ["/opt/my tools/x", "a b", "c d"]),
        ("x ''", ["x", ""]),
    ])
    func splitsLikeAShellWithoutOne(text: String, expected: [String]) throws {
        #expect(try ClusterOptions.split(text) == expected)
    }

    @Test func anUnterminatedQuoteIsAnError() {
        #expect(throws: CommandError.self) { try ClusterOptions.split("x 'y") }
    }
}
