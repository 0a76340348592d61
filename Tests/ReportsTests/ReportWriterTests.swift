import EventStore
import Foundation
import FoundationXML
import Glibc
import Reports
import TestSupport
import Testing

@Suite struct ReportWriterTests {
    let directory = TemporaryDirectory()
    var databasePath: String { directory.path + "/energy.db" }
    var reportsPath: String { directory.path + "/reports" }

    @Test func writesEveryFileOfEveryClusteredDeviceAndTheIndex() throws {
        let store = try ReportFixtures.sampleStore(databasePath)
        defer { store.close() }
        let update = ReportWriter(directory: reportsPath).update(store: store)
        #expect(update.failures.isEmpty)
        #expect(update.written.map(\.device) == [1])
        #expect(update.notClustered == [2])
        let files = try FileManager.default.contentsOfDirectory(atPath: reportsPath + "/device-1").sorted()
        #expect(files == ReportWriter.deviceFiles.sorted())
        #expect(!FileManager.default.fileExists(atPath: reportsPath + "/device-2"))
        #expect(
            try ReportFixtures.readText(reportsPath + "/device-1/events_by_cluster.json")
                == "{\"-1\": 1, \"0\": 4, \"1\": 3, \"2\": 2}\n")
        for file in ReportWriter.deviceFiles + ["../index.html"] {
            var info = stat()
            #expect(stat(reportsPath + "/device-1/" + file, &info) == 0)
            #expect(info.st_mode & 0o777 == 0o644, "\(file)")
        }
    }

    @Test func theSVGIsXMLWithOnePointPerEventInItsClustersGroup() throws {
        let store = try ReportFixtures.sampleStore(databasePath)
        defer { store.close() }
        ReportWriter(directory: reportsPath).update(store: store)
        let counter = try SVGPointCounter(path: reportsPath + "/device-1/clusters.svg")
        #expect(counter.root == "svg")
        #expect(counter.pointsByLabel == [-1: 1, 0: 4, 1: 3, 2: 2])
        #expect(counter.circlesOutsidePoints == 0)
        #expect(counter.texts.contains("Active power (W)"))
        #expect(counter.texts.contains("Current (A)"))
        #expect(counter.texts.contains("noise (1)"))
        #expect(counter.texts.contains("cluster 3 (0)"))
    }

    @Test func theIndexLinksOnlyFilesThatExistAndNamesTheDeviceNotClustered() throws {
        let store = try ReportFixtures.sampleStore(databasePath)
        defer { store.close() }
        ReportWriter(directory: reportsPath).update(store: store)
        let html = try ReportFixtures.readText(reportsPath + "/index.html")
        let targets = Self.linkTargets(html)
        #expect(targets.contains("device-1/clusters.svg"))
        #expect(targets.contains("device-1/summary.json"))
        #expect(!targets.contains { $0.hasPrefix("device-2/") })
        for target in targets where !target.hasPrefix("#") {
            #expect(FileManager.default.fileExists(atPath: reportsPath + "/" + target), "\(target)")
        }
        #expect(html.contains("device 2 has not been clustered yet; run `energy-agent cluster --device 2`"))
        #expect(!html.lowercased().contains("<script"))

        // A file removed behind the writer's back is written again, not linked while missing.
        unlink(reportsPath + "/device-1/clusters.svg")
        let update = ReportWriter(directory: reportsPath).update(store: store)
        #expect(update.written.map(\.device) == [1])
        #expect(FileManager.default.fileExists(atPath: reportsPath + "/device-1/clusters.svg"))
    }

    @Test func aWriterRewritesOnlyWhatChangedUnlessForced() throws {
        let store = try ReportFixtures.sampleStore(databasePath)
        defer { store.close() }
        let writer = ReportWriter(directory: reportsPath)
        #expect(writer.update(store: store).written.count == 1)
        #expect(writer.update(store: store).written.isEmpty)
        #expect(writer.update(store: store, force: true).written.count == 1)
        try ReportFixtures.finishRun(store, device: 2, labels: [0, 0, -1], centers: [Array(repeating: 1, count: 8)])
        #expect(writer.update(store: store).written.map(\.device) == [2])
        #expect(writer.update(store: store, only: 1, force: true).written.map(\.device) == [1])
    }

    @Test func anUnwritableDirectoryIsReportedAndWrittenAfterTheNextRun() throws {
        let store = try ReportFixtures.sampleStore(databasePath)
        defer { store.close() }
        let blocked = try UnwritableDirectory(path: reportsPath)
        let writer = ReportWriter(directory: reportsPath)
        let update = writer.update(store: store)
        #expect(update.written.isEmpty)
        #expect(update.failures.map(\.device) == [1, nil])
        let message = try #require(update.failures.first?.description)
        #expect(message.hasPrefix("device 1: cannot write \(reportsPath)/device-1"))
        #expect(message.hasSuffix(blocked.reason))
        blocked.release()
        // The next run is another device's; the failed device is written too.
        try ReportFixtures.finishRun(store, device: 2, labels: [0, 0, -1], centers: [Array(repeating: 1, count: 8)])
        let retry = writer.update(store: store)
        #expect(retry.failures.isEmpty)
        #expect(retry.written.map(\.device) == [1, 2])
        #expect(FileManager.default.fileExists(atPath: reportsPath + "/index.html"))
    }

    @Test func aReaderNeverSeesAMissingOrPartialFileWhileTheyAreRewritten1000Times() throws {
        let store = try ReportFixtures.sampleStore(databasePath)
        defer { store.close() }
        let writer = ReportWriter(directory: reportsPath)
        let first = try ReportBuilder.build(store: store, device: 1)
        try ReportFixtures.store([ReportFixtures.event(active: 7000, current: 30)], in: store)
        try ReportFixtures.finishRun(
            store, labels: [0, 0, 0, 1, 1, 1, 0, 1, 1, -1, -1], centers: Array(ReportFixtures.centers.prefix(2)))
        let second = try ReportBuilder.build(store: store, device: 1)
        try writer.write(first)
        let valid = Set([first.eventsByClusterJSON, second.eventsByClusterJSON])

        let reader = ConcurrentReader(directory: reportsPath + "/device-1", validFlat: valid)
        reader.start()
        for round in 0..<1000 { try writer.write(round % 2 == 0 ? second : first) }
        let result = reader.stop()
        #expect(result.reads > 0)
        #expect(result.problems == [], "reads: \(result.reads)")
        #expect(result.sawBoth, "the reader should have seen both versions")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: reportsPath + "/device-1")
            .filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty)
    }

    /// The `href` and `src` values of a page.
    static func linkTargets(_ html: String) -> [String] {
        var targets: [String] = []
        for attribute in ["href=\"", "src=\""] {
            var rest = html[...]
            while let start = rest.range(of: attribute) {
                rest = rest[start.upperBound...]
                guard let end = rest.firstIndex(of: "\"") else { break }
                targets.append(String(rest[..<end]))
                rest = rest[end...]
            }
        }
        return targets
    }
}

/// Makes a report directory that cannot be written. File modes do not stop root, so for root
/// the directory is made a regular file, which stops everyone.
final class UnwritableDirectory {
    let path: String
    /// The `strerror` text a write into it fails with.
    let reason: String
    private let asFile: Bool

    init(path: String) throws {
        self.path = path
        asFile = geteuid() == 0
        if asFile {
            #expect(FileManager.default.createFile(atPath: path, contents: Data("not a directory\n".utf8)))
            reason = String(cString: strerror(ENOTDIR))
        } else {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            chmod(path, 0o555)
            reason = String(cString: strerror(EACCES))
        }
    }

    func release() {
        if asFile {
            unlink(path)
        } else {
            chmod(path, 0o755)
        }
    }
}

/// Counts the circles of an SVG by the `data-label` of their group.
final class SVGPointCounter: NSObject, XMLParserDelegate {
    var root: String?
    var pointsByLabel: [Int: Int] = [:]
    var circlesOutsidePoints = 0
    var texts: [String] = []
    private var stack: [(name: String, label: Int?, inPoints: Bool)] = []
    private var text = ""

    init(path: String) throws {
        super.init()
        let parser = try #require(XMLParser(contentsOf: URL(fileURLWithPath: path)))
        parser.delegate = self
        let parsed = parser.parse()
        #expect(parsed, "XML error: \(String(describing: parser.parserError))")
    }

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String]
    ) {
        if root == nil { root = name }
        let inPoints = stack.last?.inPoints == true || attributes["id"] == "points"
        let label = attributes["data-label"].flatMap { Int($0) } ?? stack.last?.label
        if name == "circle" {
            if let label, inPoints { pointsByLabel[label, default: 0] += 1 } else { circlesOutsidePoints += 1 }
        }
        stack.append((name, label, inPoints))
        text = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text" { texts.append(text) }
        stack.removeLast()
        text = ""
    }
}

/// Reads the report files in a loop on another thread, noting anything missing or unparsable.
final class ConcurrentReader: @unchecked Sendable {
    struct Result {
        var reads = 0
        var problems: [String] = []
        var sawBoth = false
    }

    private let directory: String
    private let validFlat: Set<String>
    private let lock = NSLock()
    private var stopping = false
    private var result = Result()
    private let done = DispatchSemaphore(value: 0)

    init(directory: String, validFlat: Set<String>) {
        self.directory = directory
        self.validFlat = validFlat
    }

    func start() {
        Thread.detachNewThread { self.run() }
    }

    func stop() -> Result {
        lock.withLock { stopping = true }
        done.wait()
        return lock.withLock { result }
    }

    private func run() {
        var local = Result()
        var seen: Set<String> = []
        while !lock.withLock({ stopping }) {
            for file in ["events_by_cluster.json", "average_active_power_by_cluster.json", "summary.json"] {
                guard let data = FileManager.default.contents(atPath: "\(directory)/\(file)") else {
                    local.problems.append("\(file) missing")
                    continue
                }
                if (try? JSONSerialization.jsonObject(with: data)) == nil {
                    local.problems.append("\(file) not JSON: \(data.count) bytes")
                }
                if file == "events_by_cluster.json" {
                    let text = String(decoding: data, as: UTF8.self)
                    if !validFlat.contains(text) { local.problems.append("unexpected content \(text)") }
                    seen.insert(text)
                }
            }
            if let svg = FileManager.default.contents(atPath: "\(directory)/clusters.svg") {
                if !String(decoding: svg.suffix(7), as: UTF8.self).hasSuffix("</svg>\n") {
                    local.problems.append("clusters.svg cut short")
                }
            } else {
                local.problems.append("clusters.svg missing")
            }
            local.reads += 1
            if local.problems.count > 20 { break }
        }
        local.sawBoth = seen.count == 2
        lock.withLock { result = local }
        done.signal()
    }
}
