import Glibc

/// Splits a stream of bytes into lines: LF ends a line, a CR just before it is dropped.
///
/// Lines longer than the maximum are not kept whole: their first `maximumLineLength` bytes are
/// handed on with the line's full length, so that the caller can reject them with their size
/// while memory stays bounded whatever arrives.
public struct LineFramer: Sendable {
    /// One line cut out of the stream.
    public struct Line {
        /// The line's bytes, without LF and trailing CR, at most `maximumLineLength` of them.
        /// Valid only during the callback that receives it.
        public var bytes: UnsafeBufferPointer<UInt8>
        /// The line's full length in bytes, without LF and trailing CR.
        public var length: Int
        /// The line's number in the stream, from 1.
        public var number: Int
        /// Whether the line ended with LF (false only for a last line cut short by the end of input).
        public var isTerminated: Bool
        /// Whether `bytes` holds less than the whole line.
        public var isTruncated: Bool { length > bytes.count }
    }

    /// The most bytes of one line that are kept.
    public let maximumLineLength: Int
    private var pending: [UInt8] = []
    private var pendingLength = 0
    private var pendingEndsWithCR = false
    private var lineCount = 0

    /// Creates a framer.
    /// - Parameter maximumLineLength: the most bytes of one line that are kept (16 KiB by default).
    public init(maximumLineLength: Int = 16384) {
        self.maximumLineLength = maximumLineLength
        pending.reserveCapacity(1024)
    }

    /// The number of lines handed out so far.
    public var linesFramed: Int { lineCount }

    /// Whether bytes of an unfinished line are waiting for their LF.
    public var hasPartialLine: Bool { pendingLength > 0 }

    /// Feeds bytes and calls `body` for every line they complete.
    public mutating func append(
        _ chunk: UnsafeRawBufferPointer, _ body: (Line) throws -> Void
    ) rethrows {
        let bytes = chunk.bindMemory(to: UInt8.self)
        var start = 0
        let end = bytes.count
        while start < end {
            guard let newline = Self.indexOfNewline(bytes, from: start) else {
                keep(UnsafeBufferPointer(rebasing: bytes[start..<end]))
                return
            }
            if pendingLength == 0 && !pendingEndsWithCR {
                // The common case: the whole line is inside this chunk, no copy.
                var stop = newline
                if stop > start, bytes[stop - 1] == 0x0D { stop -= 1 }
                let length = stop - start
                let kept = min(length, maximumLineLength)
                lineCount += 1
                try body(
                    Line(
                        bytes: UnsafeBufferPointer(rebasing: bytes[start..<(start + kept)]),
                        length: length, number: lineCount, isTerminated: true))
            } else {
                keep(UnsafeBufferPointer(rebasing: bytes[start..<newline]))
                try flushPending(terminated: true, body)
            }
            start = newline + 1
        }
    }

    /// Feeds bytes given as an array.
    public mutating func append(_ chunk: [UInt8], _ body: (Line) throws -> Void) rethrows {
        try chunk.withUnsafeBytes { raw in try append(raw, body) }
    }

    /// Ends the stream: an unfinished last line, if any, is handed out unterminated.
    public mutating func finish(_ body: (Line) throws -> Void) rethrows {
        if pendingLength > 0 || pendingEndsWithCR {
            try flushPending(terminated: false, body)
        }
    }

    /// Forgets an unfinished line without handing it out, and returns how many bytes it had.
    public mutating func discardPartialLine() -> Int {
        let dropped = pendingLength
        pending.removeAll(keepingCapacity: true)
        pendingLength = 0
        pendingEndsWithCR = false
        return dropped
    }

    private mutating func keep(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard !bytes.isEmpty else { return }
        // A CR held back from the previous chunk turned out not to end the line.
        if pendingEndsWithCR {
            pendingEndsWithCR = false
            pendingLength += 1
            if pending.count < maximumLineLength { pending.append(0x0D) }
        }
        var body = bytes
        if body.last == 0x0D {
            pendingEndsWithCR = true
            body = UnsafeBufferPointer(rebasing: body.dropLast())
        }
        pendingLength += body.count
        let room = maximumLineLength - pending.count
        if room > 0 { pending.append(contentsOf: UnsafeBufferPointer(rebasing: body.prefix(room))) }
    }

    private mutating func flushPending(terminated: Bool, _ body: (Line) throws -> Void) rethrows {
        // A CR held back just before the LF (or the end of input) is the line ending's CR.
        pendingEndsWithCR = false
        lineCount += 1
        let length = pendingLength
        let number = lineCount
        defer {
            pending.removeAll(keepingCapacity: pending.capacity <= 65536)
            pendingLength = 0
        }
        try pending.withUnsafeBufferPointer { buffer in
            try body(Line(bytes: buffer, length: length, number: number, isTerminated: terminated))
        }
    }

    private static func indexOfNewline(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard start < bytes.count, let base = bytes.baseAddress else { return nil }
        // memchr scans many bytes per step; lines are hundreds of bytes long.
        guard let found = memchr(base + start, 0x0A, bytes.count - start) else { return nil }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }
}
