/// Fuzz target for `LineFramer`, compiled into the `SerialDevices` module.
///
/// The input is a small header and a byte stream: byte 0 picks the maximum line length (bit 7:
/// the 16 KiB default, else 1 to 64) and whether the stream ends with `finish` or
/// `discardPartialLine` (bit 6); byte 1 gives how many chunk sizes follow (0 to 7), each one byte
/// (0 is an empty chunk). The stream is framed in one chunk and in chunks of the sizes given in
/// turn, and both must give exactly the lines of a plain reference: split at LF, one CR before
/// the LF dropped, a non-empty rest handed out unterminated. Every line keeps at most
/// `maximumLineLength` bytes, the first ones of the line; lines are numbered from 1 in order;
/// every byte of the stream is a line byte, an LF, or a dropped CR.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFramer(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    guard input.count >= 2 else { return 0 }
    let maximum = input[0] & 0x80 != 0 ? 16384 : Int(input[0] & 0x3F) + 1
    let discards = input[0] & 0x40 != 0
    let sizeCount = Int(input[1] % 8)
    guard input.count >= 2 + sizeCount else { return 0 }
    let sizes = input[2..<(2 + sizeCount)].map(Int.init)
    let stream = Array(input[(2 + sizeCount)...])

    let expected = referenceLines(stream, maximum: maximum)
    let whole = frame(stream, maximum: maximum, sizes: [], discards: discards)
    check(whole, expected: expected, stream: stream, maximum: maximum, discards: discards, how: "one chunk")
    if !sizes.isEmpty {
        let chunked = frame(stream, maximum: maximum, sizes: sizes, discards: discards)
        check(chunked, expected: expected, stream: stream, maximum: maximum, discards: discards, how: "chunks \(sizes)")
    }
    return 0
}

private struct Framed: Equatable, CustomStringConvertible {
    var kept: [UInt8]
    var length: Int
    var number: Int
    var isTerminated: Bool
    var isTruncated: Bool
    /// Whether a CR before the line's end was dropped (reference only; the framer does not say).
    var droppedCR = false

    var description: String {
        "#\(number) \(escaped(kept, limit: 60)) length \(length)\(isTerminated ? "" : " unterminated")"
            + (isTruncated ? " truncated" : "")
    }
}

private struct Outcome {
    var lines: [Framed] = []
    /// What `discardPartialLine` returned, when called.
    var discarded: Int?
    var linesFramed = 0
}

private func frame(_ stream: [UInt8], maximum: Int, sizes: [Int], discards: Bool) -> Outcome {
    var framer = LineFramer(maximumLineLength: maximum)
    var outcome = Outcome()
    let collect = { (line: LineFramer.Line) in
        require(line.bytes.count <= maximum, "kept \(line.bytes.count) bytes, more than \(maximum)")
        outcome.lines.append(
            Framed(
                kept: Array(line.bytes), length: line.length, number: line.number, isTerminated: line.isTerminated,
                isTruncated: line.isTruncated))
    }
    stream.withUnsafeBytes { raw in
        if sizes.isEmpty {
            framer.append(raw, collect)
            return
        }
        var offset = 0
        var turn = 0
        // Empty chunks are fed too, but a run of them must not loop forever.
        var emptyInARow = 0
        while offset < raw.count, emptyInARow < sizes.count {
            let size = min(sizes[turn % sizes.count], raw.count - offset)
            turn += 1
            emptyInARow = size == 0 ? emptyInARow + 1 : 0
            framer.append(UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + size)]), collect)
            offset += size
        }
        if offset < raw.count { framer.append(UnsafeRawBufferPointer(rebasing: raw[offset...]), collect) }
    }

    if discards {
        outcome.discarded = framer.discardPartialLine()
        require(!framer.hasPartialLine, "a partial line is left after discardPartialLine")
        framer.finish(collect)
    } else {
        framer.finish(collect)
        require(!framer.hasPartialLine, "a partial line is left after finish")
    }

    outcome.linesFramed = framer.linesFramed
    return outcome
}

private func referenceLines(_ stream: [UInt8], maximum: Int) -> [Framed] {
    var lines: [Framed] = []
    var start = 0
    func add(_ end: Int, terminated: Bool) {
        var stop = end
        var dropped = false
        if stop > start, stream[stop - 1] == 0x0D {
            stop -= 1
            dropped = true
        }
        let length = stop - start
        lines.append(
            Framed(
                kept: Array(stream[start..<(start + min(length, maximum))]), length: length, number: lines.count + 1,
                isTerminated: terminated, isTruncated: length > maximum, droppedCR: dropped))
    }
    for index in stream.indices where stream[index] == 0x0A {
        add(index, terminated: true)
        start = index + 1
    }
    if start < stream.count { add(stream.count, terminated: false) }
    return lines
}

private func check(
    _ outcome: Outcome, expected: [Framed], stream: [UInt8], maximum: Int, discards: Bool, how: String
) {
    var expected = expected
    if discards, let last = expected.last, !last.isTerminated {
        expected.removeLast()
        require(outcome.discarded == last.length, "\(how): discardPartialLine gave \(outcome.discarded ?? -1), expected \(last.length)")
    } else if discards {
        require(outcome.discarded == 0, "\(how): discardPartialLine gave \(outcome.discarded ?? -1) without a partial line")
    }
    let got = outcome.lines.map { line -> Framed in
        var line = line
        line.droppedCR = expected.indices.contains(line.number - 1) ? expected[line.number - 1].droppedCR : false
        return line
    }
    require(
        got == expected,
        "\(how), maximum \(maximum): framed \(got.count) lines, expected \(expected.count); first difference: "
            + "\(zip(got, expected).first { $0 != $1 }.map { "\($0.0) vs \($0.1)" } ?? "in the count")")
    require(outcome.linesFramed == expected.count, "\(how): linesFramed \(outcome.linesFramed), expected \(expected.count)")
    for line in got {
        require(line.kept.count == min(line.length, maximum), "\(how): \(line) keeps the wrong number of bytes")
        require(!line.kept.contains(0x0A), "\(how): \(line) holds an LF")
    }
    // Every byte accounted for: line bytes, LFs, dropped CRs, and the discarded partial line.
    let discardedBytes: Int
    if discards, let last = referenceLines(stream, maximum: maximum).last, !last.isTerminated {
        discardedBytes = last.length + (last.droppedCR ? 1 : 0)
    } else {
        discardedBytes = 0
    }
    let accounted = got.reduce(0) { $0 + $1.length + ($1.isTerminated ? 1 : 0) + ($1.droppedCR ? 1 : 0) } + discardedBytes
    require(accounted == stream.count, "\(how): \(accounted) bytes accounted for, the stream has \(stream.count)")
}
