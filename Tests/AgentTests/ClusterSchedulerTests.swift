import Agent
import EventStore
import Foundation
import SensorFormat
import TestSupport
import Testing

/// Clustering runs through the agent with stand-in programs that misbehave in each way the
/// protocol allows for.
@Suite struct ClusterSchedulerTests {
    let directory = TemporaryDirectory()
    var dataDir: String { directory.path + "/data" }

    /// Replays the first `lines` lines of household-3000 with a clustering command.
    func replay(lines: Int, command: String, every: Int = 100, extra: [String] = []) throws -> ExitCode {
        let capture = directory.path + "/capture.log"
        let text = try String(contentsOfFile: Fixtures.path("household-3000.log"), encoding: .utf8)
        let head = text.split(separator: "\n", omittingEmptySubsequences: false).prefix(lines).joined(separator: "\n") + "\n"
        try head.write(toFile: capture, atomically: true, encoding: .utf8)
        return try ReplayCommand.main(
            ["--data-dir", dataDir, "--cluster-every", String(every), "--cluster-command", command, "--quiet"] + extra + [capture])
    }

    func runs() throws -> [ClusterRun] {
        let store = try EventStore(path: dataDir + "/energy.db")
        defer { store.close() }
        return try store.runs(device: nil).reversed()
    }

    func labels() throws -> [Int?] {
        let store = try EventStore(path: dataDir + "/energy.db")
        defer { store.close() }
        var labels: [Int?] = []
        try store.forEachEvent(device: nil) { labels.append($0.label) }
        return labels
    }

    /// A stand-in that labels every event 0 with one center, whatever it is given.
    func script(_ body: String) throws -> String {
        let path = directory.path + "/stand-in-\(UUID().uuidString).sh"
        try ("#!/bin/sh\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        return path
    }

    static let oneCluster = """
        count=$(( ($(wc -c) - 128) / 64 ))
        labels=$(yes 0 | head -n "$count" | paste -sd, -)
        printf '{"labels": [%s], "bandwidth": 2.5, "cluster_centers": [[1,2,3,4,5,6,7,8]], "n_iter": 3, "seconds": 0.1}' "$labels"
        """

    @Test func everyThresholdOfAReplayGetsItsRunAndTheLabelsOfTheLast() throws {
        #expect(try replay(lines: 250, command: try script(Self.oneCluster)) == .success)
        let runs = try runs()
        #expect(runs.map(\.events) == [100, 200])
        #expect(runs.allSatisfy { $0.status == .succeeded && $0.bandwidth == 2.5 && $0.iterations == 3 })
        let labels = try labels()
        #expect(labels.prefix(200).allSatisfy { $0 == 0 })
        #expect(labels.suffix(50).allSatisfy { $0 == nil })
    }

    @Test func aProgramThatFailsMarksTheRunFailedWithItsLastWords() throws {
        let command = try script("cat >/dev/null; echo 'first line' >&2; echo 'bandwidth is zero' >&2; exit 65")
        #expect(try replay(lines: 100, command: command) == .failure)
        let run = try #require(try runs().first)
        #expect(run.status == .failed)
        #expect(run.error == "exit status 65: first line | bandwidth is zero")
        #expect(try labels().allSatisfy { $0 == nil })
    }

    @Test func garbageOutputIsAnInvalidResult() throws {
        #expect(try replay(lines: 100, command: try script("cat >/dev/null; echo 'hello there'")) == .failure)
        let run = try #require(try runs().first)
        #expect(run.status == .failed)
        #expect(run.error?.hasPrefix("invalid result from the clustering program: the result is not valid JSON") == true)
    }

    @Test func aResultWithTheWrongNumberOfLabelsIsRejected() throws {
        let command = try script(
            #"cat >/dev/null; echo '{"labels": [0], "bandwidth": 1, "cluster_centers": [[1,2,3,4,5,6,7,8]], "n_iter": 1}'"#)
        #expect(try replay(lines: 100, command: command) == .failure)
        #expect(try runs().first?.error == "invalid result from the clustering program: 1 labels for 100 events")
    }

    @Test func aKilledProgramIsReported() throws {
        #expect(try replay(lines: 100, command: try script("kill -9 $$")) == .failure)
        #expect(try runs().first?.error == "killed by signal 9 (Killed)")
    }

    @Test func aMissingProgramIsReported() throws {
        #expect(try replay(lines: 100, command: directory.path + "/no-such-program") == .failure)
        #expect(try runs().first?.error == "cannot start \(directory.path)/no-such-program: No such file or directory")
    }

    @Test func aProgramThatOutlivesTheTimeoutIsKilled() throws {
        let command = try script("cat >/dev/null; exec sleep 30")
        let started = Date()
        #expect(try replay(lines: 100, command: command, extra: ["--cluster-timeout", "0.5"]) == .failure)
        #expect(Date().timeIntervalSince(started) < 20)
        #expect(try runs().first?.error == "timed out after 0.5 s (killed by signal 9 (Killed))")
    }

    @Test func aRunLeftRunningIsFailedAndRunAgainAtTheNextStart() throws {
        #expect(try replay(lines: 100, command: try script(Self.oneCluster), every: 0) == .success)
        do {
            let store = try EventStore(path: dataDir + "/energy.db")
            _ = try store.startRun(device: 1, events: 100, firstEventID: 1, lastEventID: 100, command: "x", startedAt: "t")
            store.close()
        }
        #expect(try replay(lines: 100, command: try script(Self.oneCluster)) == .success)
        let runs = try runs()
        #expect(runs.map(\.status) == [.failed, .succeeded])
        #expect(runs.first?.error == "the agent stopped before the run finished")
        #expect(try labels().allSatisfy { $0 == 0 })
    }
}

/// The live rule: thresholds crossed while a run is in flight become one run over the latest.
@Suite struct CoalescingTests {
    let directory = TemporaryDirectory()

    @Test func thresholdsCrossedDuringARunCoalesceIntoOneRunOverTheLatest() throws {
        let store = try EventStore(path: directory.path + "/energy.db")
        defer { store.close() }
        try store.begin()
        for index in 0..<300 {
            _ = try Array("line \(index)".utf8).withUnsafeBytes { bytes in
                var event = try EventParserFixture.event()
                event.eventCode = Int64(index)
                return try store.store(event, line: bytes, source: "t", sourceLine: index, receivedAt: "t")
            }
        }
        try store.commit()
        let script = directory.path + "/slow.sh"
        try """
            #!/bin/sh
            count=$(( ($(wc -c) - 128) / 64 ))
            sleep 0.3
            labels=$(yes 0 | head -n "$count" | paste -sd, -)
            printf '{"labels": [%s], "bandwidth": 1, "cluster_centers": [[1,2,3,4,5,6,7,8]], "n_iter": 1}' "$labels"
            """.write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        let scheduler = ClusterScheduler(
            store: store,
            configuration: .init(command: [script], timeout: 30, workDirectory: directory.path + "/runs", pending: .coalesce),
            log: Logger(verbose: false))
        scheduler.request(device: 1, events: 100)
        scheduler.request(device: 1, events: 200)
        scheduler.request(device: 1, events: 300)
        scheduler.waitForAll()
        #expect(scheduler.finishedRuns.map(\.events) == [100, 300])
        #expect(scheduler.finishedRuns.allSatisfy { $0.status == .succeeded })
    }
}

enum EventParserFixture {
    static func event() throws -> SensorEvent {
        let line = try String(contentsOfFile: Fixtures.path("household-3000.log"), encoding: .utf8)
            .split(separator: "\n").first.map(String.init) ?? ""
        return try EventParser().parse(line)
    }
}

@Suite struct AbandonedRunFilesTests {
    let directory = TemporaryDirectory()

    @Test func aNewSchedulerRemovesTheRunFilesADeadAgentLeft() throws {
        let runs = directory.path + "/runs"
        mkdir(runs, 0o750)
        for name in ["run-7.npy", "run-7.json", "run-7.stderr", "keep.txt"] {
            close(open("\(runs)/\(name)", O_WRONLY | O_CREAT, 0o640))
        }
        let store = try EventStore(path: directory.path + "/energy.db")
        defer { store.close() }
        _ = ClusterScheduler(
            store: store,
            configuration: .init(command: ["true"], timeout: 1, workDirectory: runs, pending: .coalesce),
            log: Logger(verbose: false))
        #expect(access("\(runs)/run-7.npy", F_OK) != 0)
        #expect(access("\(runs)/run-7.json", F_OK) != 0)
        #expect(access("\(runs)/run-7.stderr", F_OK) != 0)
        #expect(access("\(runs)/keep.txt", F_OK) == 0)
    }
}
