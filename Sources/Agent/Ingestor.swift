import EventStore
import SensorFormat
import SerialDevices

/// Turns framed lines into stored events or stored rejected lines: the one path every line
/// takes, from a tty or a capture file.
public final class Ingestor {
    /// Running totals of what the lines became.
    public struct Counts: Sendable, Equatable {
        public var lines = 0
        public var stored = 0
        public var duplicates = 0
        public var rejected = 0
        /// Rejected lines whose bytes were already in `rejected_lines`.
        public var rejectedAgain = 0
        /// Rejected lines per field at fault.
        public var rejectedByField: [String: Int] = [:]

        public init() {}

        /// The summary sentence printed at the end of a replay.
        public var summary: String {
            var text = "\(stored) events stored, \(duplicates) duplicates, \(rejected + rejectedAgain) lines rejected"
            if !rejectedByField.isEmpty {
                let parts = rejectedByField.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
                    .map { "\($0.key): \($0.value)" }
                text += " (" + parts.joined(separator: ", ") + ")"
            }
            if rejectedAgain > 0 { text += ", \(rejectedAgain) of them already stored" }
            return text
        }
    }

    /// The store written to.
    public let store: EventStore
    private let parser = EventParser()
    /// Totals since the ingestor was made.
    public private(set) var counts = Counts()
    /// Each device's stored event count.
    public private(set) var deviceCounts: [Int64: Int]
    /// Called when a device's stored event count reaches a multiple of `clusterEvery`.
    public var onThreshold: ((_ device: Int64, _ count: Int) -> Void)?
    /// The clustering period; 0 turns the threshold calls off.
    public var clusterEvery: Int

    /// Creates an ingestor over a store.
    public init(store: EventStore, clusterEvery: Int) throws {
        self.store = store
        self.clusterEvery = clusterEvery
        deviceCounts = try store.eventCounts()
    }

    /// Stores one line, as an event or as a rejected line, given as its kept bytes and full length
    /// as the framer hands it out.
    /// - Parameters:
    ///   - bytes: the bytes kept of the line (at most 16 KiB), line ending excluded.
    ///   - length: the line's full length; more than `bytes.count` for an overlong line.
    ///   - source: the tty path or capture file.
    ///   - sourceLine: the line number in a capture; `nil` for a tty.
    ///   - receivedAt: when it arrived, ISO 8601 UTC.
    /// - Throws: ``DatabaseError`` when the store fails; the line is then not counted.
    public func ingest(
        bytes: UnsafeBufferPointer<UInt8>, length: Int, source: String, sourceLine: Int?, receivedAt: String
    ) throws {
        try record(
            ParsedLine.parse(bytes: bytes, length: length, with: parser), bytes: UnsafeRawBufferPointer(bytes),
            length: length, source: source, sourceLine: sourceLine, receivedAt: receivedAt)
    }

    /// What the ingestor has counted at one moment, to be put back when the transaction the
    /// later lines went into is rolled back.
    public struct Snapshot: Sendable {
        fileprivate var counts: Counts
        fileprivate var deviceCounts: [Int64: Int]
    }

    /// The counts as they are now.
    public func snapshot() -> Snapshot {
        Snapshot(counts: counts, deviceCounts: deviceCounts)
    }

    /// Puts back the counts of a snapshot: the lines counted since were rolled back.
    public func restore(_ snapshot: Snapshot) {
        counts = snapshot.counts
        deviceCounts = snapshot.deviceCounts
    }

    /// Stores a line parsed earlier, possibly on another thread.
    /// - Parameters:
    ///   - line: the parsed line.
    ///   - bytes: the line's bytes, `line.range` of the batch's storage.
    public func ingest(
        _ line: ParsedLine, bytes: UnsafeRawBufferPointer, source: String, sourceLine: Int?, receivedAt: String
    ) throws {
        try record(
            line.result, bytes: bytes, length: line.length, hash: line.hash, source: source, sourceLine: sourceLine,
            receivedAt: receivedAt)
    }

    private func record(
        _ result: Result<SensorEvent, ParseError>, bytes raw: UnsafeRawBufferPointer, length: Int,
        hash: LineHash? = nil, source: String, sourceLine: Int?, receivedAt: String
    ) throws {
        switch result {
        case .failure(let error):
            let outcome = try store.reject(
                line: raw, length: length, error: error, source: source, sourceLine: sourceLine,
                receivedAt: receivedAt)
            counts.lines += 1
            if case .stored = outcome { counts.rejected += 1 } else { counts.rejectedAgain += 1 }
            counts.rejectedByField[error.field, default: 0] += 1
        case .success(let parsed):
            let outcome = try store.store(
                parsed, line: raw, hash: hash, source: source, sourceLine: sourceLine, receivedAt: receivedAt)
            counts.lines += 1
            switch outcome {
            case .duplicate:
                counts.duplicates += 1
            case .stored:
                counts.stored += 1
                let count = deviceCounts[parsed.deviceID, default: 0] + 1
                deviceCounts[parsed.deviceID] = count
                if clusterEvery > 0, count % clusterEvery == 0 {
                    onThreshold?(parsed.deviceID, count)
                }
            }
        }
    }
}

/// A framed line with its parse result, detached from the framer's buffer so that it can be
/// handed from a parsing thread to the storing one. Its bytes live in the batch it belongs to.
public struct ParsedLine: Sendable {
    /// Where the bytes kept of the line (at most 16 KiB) are in the batch's storage.
    public var range: Range<Int>
    /// The line's full length.
    public var length: Int
    /// The line's number in its stream.
    public var number: Int
    /// The event, or why the line is not one.
    public var result: Result<SensorEvent, ParseError>
    /// For an event, the hash of its bytes seeded with its device id, computed off the storing thread.
    public var hash: LineHash?

    /// Parses a line given as its kept bytes and full length; a line longer than what was kept
    /// is rejected without being parsed.
    public static func parse(
        bytes: UnsafeBufferPointer<UInt8>, length: Int, with parser: EventParser
    ) -> Result<SensorEvent, ParseError> {
        if length > bytes.count {
            return .failure(
                ParseError(
                    field: "line",
                    message: "\(length) bytes, longer than the \(EventParser.maximumLineLength) allowed"))
        }
        do throws(ParseError) {
            return .success(try parser.parse(bytes))
        } catch {
            return .failure(error)
        }
    }

    /// Parses a framed line and appends its bytes to `storage`.
    public init(_ line: LineFramer.Line, parser: EventParser, storage: inout [UInt8]) {
        let start = storage.count
        storage.append(contentsOf: line.bytes)
        range = start..<storage.count
        length = line.length
        number = line.number
        result = Self.parse(bytes: line.bytes, length: line.length, with: parser)
        if case .success(let event) = result {
            hash = LineHash(UnsafeRawBufferPointer(line.bytes), length: line.length, seed: event.deviceID)
        }
    }
}

// The ingestor drives one store connection from one thread.
@available(*, unavailable)
extension Ingestor: Sendable {}
