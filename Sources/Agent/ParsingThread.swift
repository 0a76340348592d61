import EventStore
import Glibc
import SensorFormat
import SerialDevices

/// Reads, frames and parses a capture on a thread of its own, handing batches of parsed lines
/// to the storing thread through a bounded queue: parsing and SQLite use a core each.
final class ParsingThread {
    /// A run of parsed lines, or the end of the input.
    struct Batch: Sendable {
        var lines: [ParsedLine] = []
        /// The bytes of all the lines, one after the other.
        var storage: [UInt8] = []
        var receivedAt: String
        /// Bytes of the input read so far.
        var bytesRead: Int
        var isLast = false
        var error: CommandError?
    }

    /// The lines per batch.
    static let batchLines = 512
    let queue = BlockingQueue<Batch>(capacity: 16)

    /// Starts reading `input` at once.
    init(input: InputFile) {
        let queue = self.queue
        let transfer = Transfer(input: input)
        DetachedThread.start {
            Self.produce(transfer.input, into: queue)
        }
    }

    private static func produce(_ input: InputFile, into queue: BlockingQueue<Batch>) {
        let parser = EventParser()
        var framer = LineFramer()
        var clock = WallClock()
        var bytesRead = 0
        var batch = Batch(receivedAt: clock.nowText(), bytesRead: 0)
        batch.lines.reserveCapacity(batchLines)
        batch.storage.reserveCapacity(batchLines * 512)
        func send(last: Bool, error: CommandError? = nil) {
            batch.bytesRead = bytesRead
            batch.isLast = last
            batch.error = error
            queue.put(batch)
            batch = Batch(receivedAt: batch.receivedAt, bytesRead: bytesRead)
            batch.lines.reserveCapacity(batchLines)
            batch.storage.reserveCapacity(batchLines * 512)
        }
        do {
            while true {
                let chunk = try input.read()
                if chunk.isEmpty { break }
                bytesRead += chunk.count
                let receivedAt = clock.nowText()
                batch.receivedAt = receivedAt
                framer.append(chunk) { line in
                    batch.lines.append(ParsedLine(line, parser: parser, storage: &batch.storage))
                    if batch.lines.count >= batchLines {
                        send(last: false)
                        batch.receivedAt = receivedAt
                    }
                }
            }
            framer.finish { batch.lines.append(ParsedLine($0, parser: parser, storage: &batch.storage)) }
            send(last: true)
        } catch {
            send(last: true, error: error as? CommandError ?? CommandError("\(error)", code: .ioError))
        }
    }
}

/// Hands the input file to the parsing thread, which is its only user from then on.
private struct Transfer: @unchecked Sendable {
    let input: InputFile
}
