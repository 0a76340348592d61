import EventStore
import SerialDevices

/// `energy-agent replay FILE...`: feeds captured serial logs through the same path as a live
/// sensor.
public enum ReplayCommand {
    /// The lines stored per transaction.
    static let batchSize = 8192

    public static let spec = CommandSpec(
        name: "replay", usage: "replay [OPTIONS] FILE...",
        summary: "Replay captured serial logs into the database, as if the sensor had sent them.",
        details: """
            Every line becomes a stored event or a stored rejected line with its reason. A line already
            stored (same bytes, same device) is counted, not stored again, so replaying a capture twice
            changes nothing but those counts. `-` reads standard input. Clustering runs started by the
            replay are waited for before it exits. After each successful run the device's reports are
            rewritten (see `energy-agent report`); a report that cannot be written is logged, not fatal.
            """,
        options: DataDirectory.options + [ReportCommand.reportsOption] + ClusterOptions.options + [
            OptionSpec(
                "coalesce",
                help: "Coalesce thresholds crossed during a run into one next run, as the live agent does, instead of one run per threshold."),
            OptionSpec("quiet", help: "Print only the summary lines and errors."),
        ],
        positionals: 1...Int.max)

    /// Runs the command.
    public static func main(_ arguments: [String]) throws -> ExitCode {
        let parsed = try spec.parse(arguments)
        if parsed.flag("help") {
            Console.output(spec.helpText)
            return .success
        }
        let data = DataDirectory(arguments: parsed)
        let cluster = try ClusterOptions(arguments: parsed, spec: spec)
        // Every input is checked before anything is stored, so a typo costs nothing.
        var inputs: [InputFile] = []
        for path in parsed.positionals { inputs.append(try InputFile(path: path)) }
        let log = Logger(prefix: "energy-agent replay: ", verbose: !parsed.flag("quiet"))
        let session = try Session(
            data: data, cluster: cluster, pending: parsed.flag("coalesce") ? .coalesce : .queue, log: log)
        defer { session.finish() }
        for input in inputs {
            let before = session.ingestor.counts
            try replay(input, into: session.ingestor, scheduler: session.scheduler)
            var counts = session.ingestor.counts
            counts.subtract(before)
            Console.error("energy-agent replay: \(input.path == "-" ? "stdin" : input.path): \(counts.summary)\n")
        }
        session.scheduler?.waitForAll()
        let failed = session.scheduler?.finishedRuns.filter { $0.status == .failed } ?? []
        if !failed.isEmpty {
            Console.error("energy-agent replay: \(failed.count) clustering run(s) failed; see the messages above\n")
            return .failure
        }
        return .success
    }

    /// Opens the store, turning its errors into a command error.
    static func openStore(_ data: DataDirectory) throws -> EventStore {
        do {
            return try EventStore(path: data.databasePath)
        } catch let error as DatabaseError {
            throw CommandError("cannot open the database: \(error)", code: error.isBusy ? .unavailable : .ioError)
        }
    }

    /// Streams one capture through the ingestor, in batched transactions. A second thread reads
    /// and parses while this one stores.
    static func replay(_ input: InputFile, into ingestor: Ingestor, scheduler: ClusterScheduler?) throws {
        var progress = ProgressBar()
        let source = input.path == "-" ? "stdin" : input.path
        let store = ingestor.store
        let size = input.size
        let parsing = ParsingThread(input: input)
        var inBatch = 0
        // The parsing thread must run to its end even when storing fails, so that it is never
        // left blocked on a full queue.
        var failure: Error?
        while true {
            let batch = parsing.queue.take()
            if failure == nil {
                do {
                    try batch.storage.withUnsafeBytes { storage in
                        for line in batch.lines {
                            if inBatch == 0 { try store.begin() }
                            try ingestor.ingest(
                                line, bytes: UnsafeRawBufferPointer(rebasing: storage[line.range]), source: source,
                                sourceLine: line.number, receivedAt: batch.receivedAt)
                            inBatch += 1
                            if inBatch >= batchSize {
                                try store.commit()
                                inBatch = 0
                                scheduler?.poll()
                            }
                        }
                    }
                    if batch.isLast, inBatch > 0 {
                        try store.commit()
                        inBatch = 0
                    }
                } catch {
                    failure = error
                    store.rollback()
                    inBatch = 0
                }
                progress.update(name: source, bytesDone: batch.bytesRead, bytesTotal: size, events: ingestor.counts.stored)
            }
            if batch.isLast {
                if failure == nil, let error = batch.error { failure = error }
                break
            }
        }
        progress.clear()
        if let error = failure as? DatabaseError {
            throw CommandError("replay of \(source) stopped: \(error)", code: .ioError)
        } else if let failure {
            throw failure
        }
    }
}

extension Ingestor.Counts {
    /// Subtracts earlier totals, leaving what happened since.
    mutating func subtract(_ other: Ingestor.Counts) {
        lines -= other.lines
        stored -= other.stored
        duplicates -= other.duplicates
        rejected -= other.rejected
        rejectedAgain -= other.rejectedAgain
        for (field, count) in other.rejectedByField {
            rejectedByField[field, default: 0] -= count
            if rejectedByField[field] == 0 { rejectedByField[field] = nil }
        }
    }
}
