/// Fuzz target for `EventParser.parse`, compiled into the `SensorFormat` module so that it can
/// also check the internal number scanner against the standard library.
///
/// Properties:
/// - an accepted line is at most `maximumLineLength` bytes, valid UTF-8 without control
///   characters other than TAB; its event has at least 3 peaks, as many `FFT Img` as `FFT Re`
///   values (at least one), finite values, a real timestamp and distinct extra section names;
/// - a rejected line has a non-empty field and message, a short message, and
///   `description == "field: message"`;
/// - a trailing CR changes nothing;
/// - a TAB after every `;` (which turns off the fast path for every item) changes nothing but
///   the text of extra sections;
/// - the number scanner gives the same double as `Double(String)` and the same integer as
///   `Int64(String)` for the text it accepts.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let parser = EventParser()
    let outcome = result(parser, input)
    checkOutcome(outcome, input)

    if input.last != 0x0D {
        require(result(parser, input + [0x0D]) == outcome, "a trailing CR changed the outcome")
    }

    var tabbed: [UInt8] = []
    tabbed.reserveCapacity(input.count + 16)
    for byte in input {
        tabbed.append(byte)
        if byte == ASCII.semicolon { tabbed.append(ASCII.tab) }
    }
    if tabbed.count != input.count, tabbed.count <= EventParser.maximumLineLength, input.last != 0x0D {
        compareIgnoringExtraText(outcome, result(parser, tabbed), input)
    }

    checkNumberScanner(input)
    return 0
}

private func result(_ parser: EventParser, _ line: [UInt8]) -> Result<SensorEvent, ParseError> {
    Result { () throws(ParseError) in try parser.parse(line) }
}

private func checkOutcome(_ outcome: Result<SensorEvent, ParseError>, _ input: [UInt8]) {
    switch outcome {
    case .success(let event):
        var line = input[...]
        if line.last == 0x0D { line = line.dropLast() }
        require(!line.isEmpty && line.count <= EventParser.maximumLineLength, "accepted a line of \(line.count) bytes")
        require(String(validating: line, as: UTF8.self) != nil, "accepted invalid UTF-8")
        require(
            !line.contains { ($0 < 0x20 && $0 != ASCII.tab) || $0 == 0x7F }, "accepted a control character")
        require(event.peaks.count >= 3, "an event with \(event.peaks.count) peaks")
        require(!event.fftReal.isEmpty, "an event without FFT Re values")
        require(event.fftReal.count == event.fftImaginary.count, "FFT Re and FFT Img counts differ")
        let values =
            [
                event.activePower, event.reactivePower, event.apparentPower, event.current, event.voltage,
                event.phase, event.frequency,
            ] + event.peaks + event.fftReal + event.fftImaginary
        require(values.allSatisfy(\.isFinite), "a non-finite value in \(event)")
        require(
            event.features.count == SensorEvent.featureCount && event.features.allSatisfy(\.isFinite),
            "features are not \(SensorEvent.featureCount) finite values")
        let time = event.measuredAt
        require(
            UTCTimestamp(
                year: time.year, month: time.month, day: time.day, hour: time.hour, minute: time.minute,
                second: time.second) == time, "the timestamp \(time) is not a real date and time")
        let names = event.extra.map(\.name)
        require(Set(names).count == names.count, "an extra section appears twice: \(names)")
        require(!names.contains(""), "an extra section without a name")
    case .failure(let error):
        require(!error.field.isEmpty, "an error without a field: \(error)")
        require(!error.message.isEmpty, "an error without a message: \(error)")
        require(error.description == error.field + ": " + error.message, "description is not field: message")
        require(error.message.utf8.count <= 400, "an error message of \(error.message.utf8.count) bytes")
    }
}

private func compareIgnoringExtraText(
    _ plain: Result<SensorEvent, ParseError>, _ tabbed: Result<SensorEvent, ParseError>, _ input: [UInt8]
) {
    switch (plain, tabbed) {
    case (.success(var a), .success(var b)):
        require(a.extra.map(\.name) == b.extra.map(\.name), "extra section names differ with TABs after ;")
        a.extra = []
        b.extra = []
        require(a == b, "TABs after ; changed the event:\n  \(a)\n  \(b)")
    case (.failure(let a), .failure(let b)):
        require(a.field == b.field, "TABs after ; changed the field at fault: \(a) / \(b)")
    default:
        require(false, "TABs after ; changed acceptance: \(plain) / \(tabbed)")
    }
}

/// The scanners on every suffix that starts a token, against the standard library.
private func checkNumberScanner(_ input: [UInt8]) {
    input.withUnsafeBufferPointer { buffer in
        guard let base = buffer.baseAddress else { return }
        var start = 0
        while start < buffer.count {
            let span = ByteSpan(base, start, buffer.count)
            if case .number(let value, let end) = NumberScanner.decimal(span) {
                let text = String(decoding: buffer[start..<end].map { $0 == ASCII.comma ? ASCII.dot : $0 }, as: UTF8.self)
                let expected = Double(text)
                require(
                    expected?.bitPattern == value.bitPattern,
                    "decimal \(text.debugDescription): scanner \(value), standard library \(String(describing: expected))")
            }
            switch NumberScanner.integer(span) {
            case .integer(let value, let end):
                let text = String(decoding: buffer[start..<end], as: UTF8.self)
                require(Int64(text) == value, "integer \(text.debugDescription): scanner \(value)")
            case .outOfRange:
                var end = start + 1
                while end < buffer.count, ASCII.isDigit(buffer[end]) { end += 1 }
                let text = String(decoding: buffer[start..<end], as: UTF8.self)
                require(Int64(text) == nil, "integer \(text.debugDescription) called out of range")
            case .invalid:
                break
            }
            // The next token: after the next separator-like byte.
            var next = start + 1
            while next < buffer.count, ASCII.isDigit(buffer[next]) || buffer[next] == ASCII.dot
                || buffer[next] == ASCII.comma
            {
                next += 1
            }
            start = next
        }
    }
}
