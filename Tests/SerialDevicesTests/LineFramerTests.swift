import SerialDevices
import Testing

/// A line as the tests compare it: a copy of the kept bytes and what the framer said about it.
struct FramedLine: Equatable, CustomStringConvertible {
    var text: String
    var length: Int
    var number: Int
    var isTerminated: Bool
    var isTruncated: Bool

    init(_ text: String, number: Int, terminated: Bool = true) {
        self.text = text
        self.length = text.utf8.count
        self.number = number
        self.isTerminated = terminated
        self.isTruncated = false
    }

    init(_ line: LineFramer.Line) {
        text = String(decoding: line.bytes, as: UTF8.self)
        length = line.length
        number = line.number
        isTerminated = line.isTerminated
        isTruncated = line.isTruncated
    }

    var description: String { "#\(number) \(text.debugDescription) (\(length)\(isTerminated ? "" : ", unterminated"))" }
}

/// Feeds the chunks, then ends the stream, and returns every line handed out.
func frame(_ chunks: [[UInt8]], maximumLineLength: Int = 16384, finish: Bool = true) -> [FramedLine] {
    var framer = LineFramer(maximumLineLength: maximumLineLength)
    var lines: [FramedLine] = []
    for chunk in chunks { framer.append(chunk) { lines.append(FramedLine($0)) } }
    if finish { framer.finish { lines.append(FramedLine($0)) } }
    return lines
}

func frame(_ chunks: [String]) -> [FramedLine] { frame(chunks.map { Array($0.utf8) }) }

@Suite("LineFramer")
struct LineFramerTests {
    static let stream = Array("alpha\nbeta\r\n\ngamma\r\n".utf8)
    static let expected = [
        FramedLine("alpha", number: 1), FramedLine("beta", number: 2), FramedLine("", number: 3),
        FramedLine("gamma", number: 4),
    ]

    @Test(arguments: 0...stream.count)
    func linesSplitAcrossTwoChunksAtAnyPosition(split: Int) {
        let lines = frame([Array(Self.stream[..<split]), Array(Self.stream[split...])])
        #expect(lines == Self.expected)
    }

    @Test func linesFedOneByteAtATime() {
        #expect(frame(Self.stream.map { [$0] }) == Self.expected)
    }

    @Test func everySplitIntoThreeChunks() {
        for first in 0...Self.stream.count {
            for second in first...Self.stream.count {
                let chunks = [
                    Array(Self.stream[..<first]), Array(Self.stream[first..<second]),
                    Array(Self.stream[second...]),
                ]
                #expect(frame(chunks) == Self.expected, "split at \(first), \(second)")
            }
        }
    }

    @Test(arguments: [
        (["a\r", "\nb\n"], [FramedLine("a", number: 1), FramedLine("b", number: 2)]),
        (["a", "\r", "\n"], [FramedLine("a", number: 1)]),
        (["a\r", "x\n"], [FramedLine("a\rx", number: 1)]),
        (["a\r", "\r\n"], [FramedLine("a\r", number: 1)]),
        (["a\rb\n"], [FramedLine("a\rb", number: 1)]),
        (["abc\r"], [FramedLine("abc", number: 1, terminated: false)]),
    ])
    func carriageReturnsSplitAcrossChunks(chunks: [String], expected: [FramedLine]) {
        #expect(frame(chunks) == expected)
    }

    /// A chunk that holds only the CR of an empty CRLF line (or a line's leading CR): the held-back
    /// CR must neither be lost nor leak into a later line, and finish() must not invent a line.
    @Test(arguments: [
        (["\r\n", "\r", "\n"], [FramedLine("", number: 1), FramedLine("", number: 2)]),
        (["\r", "\nnext\n"], [FramedLine("", number: 1), FramedLine("next", number: 2)]),
        (["\r", "x\n"], [FramedLine("\rx", number: 1)]),
    ])
    func aChunkHoldingOnlyACarriageReturn(chunks: [String], expected: [FramedLine]) {
        #expect(frame(chunks) == expected)
    }

    @Test(arguments: [1, 1000, 16384, 20001])
    func aLongLineKeepsItsFullLengthButOnly16KiB(chunkSize: Int) {
        let line = (0..<20000).map { UInt8(0x41 + $0 % 26) }
        let stream = line + Array("\r\nnext\n".utf8)
        let chunks = stride(from: 0, to: stream.count, by: chunkSize).map {
            Array(stream[$0..<min($0 + chunkSize, stream.count)])
        }
        var framer = LineFramer()
        var seen: [(kept: [UInt8], length: Int, truncated: Bool)] = []
        for chunk in chunks {
            framer.append(chunk) { seen.append((Array($0.bytes), $0.length, $0.isTruncated)) }
        }
        #expect(seen.count == 2)
        #expect(seen.first?.length == 20000)
        #expect(seen.first?.kept == Array(line.prefix(16384)))
        #expect(seen.first?.truncated == true)
        #expect(seen.last?.kept == Array("next".utf8))
        #expect(seen.last?.truncated == false)
    }

    @Test func tenMegabytesWithoutANewlineStayBounded() {
        var framer = LineFramer()
        let chunk = [UInt8](repeating: 0x78, count: 65536)
        var handedOut = 0
        for _ in 0..<160 {
            framer.append(chunk) { _ in handedOut += 1 }
        }
        #expect(handedOut == 0)
        #expect(framer.hasPartialLine)
        var last: (kept: Int, length: Int, terminated: Bool)?
        framer.finish { last = ($0.bytes.count, $0.length, $0.isTerminated) }
        #expect(last?.length == 160 * 65536)
        #expect(last?.kept == 16384)
        #expect(last?.terminated == false)
        #expect(framer.linesFramed == 1)
    }

    @Test func finishHandsOutTheUnterminatedLastLine() {
        #expect(
            frame(["one\ntw", "o\nthr", "ee"])
                == [
                    FramedLine("one", number: 1), FramedLine("two", number: 2),
                    FramedLine("three", number: 3, terminated: false),
                ])
        // Nothing pending: finish hands out nothing.
        #expect(frame(["one\n"]) == [FramedLine("one", number: 1)])
        #expect(frame([String]()) == [])
    }

    @Test func discardPartialLineForgetsTheFragment() {
        var framer = LineFramer()
        var lines: [FramedLine] = []
        framer.append(Array("stale fragm".utf8)) { lines.append(FramedLine($0)) }
        #expect(framer.discardPartialLine() == 11)
        #expect(!framer.hasPartialLine)
        framer.append(Array("fresh\n".utf8)) { lines.append(FramedLine($0)) }
        #expect(lines == [FramedLine("fresh", number: 1)])
    }
}
