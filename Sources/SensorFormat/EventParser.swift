/// Parses one line of the sensor's output into a ``SensorEvent``.
///
/// A line is a sequence of sections in any order. A section starts at the start of the line or
/// after a `;`, with a name of ASCII letters and spaces followed by `:` and a space (or the end of
/// the section), and runs to the next section:
///
/// ```
/// Device: ID=1; Fw=16071801; Evt=2; Alarms: CoilRevesed=OFF; Power: Active=1753W; …
/// ```
///
/// The rules beyond the format itself:
/// - The line is checked as a whole first: a trailing CR is dropped; then it must not be empty
///   (or only spaces and tabs), must be at most ``maximumLineLength`` bytes, must be valid UTF-8,
///   and must hold no control character other than TAB. Offsets in messages are 0-based.
/// - Section names and keys are matched exactly, case included. Every section, known or not, may
///   appear once; every key once within its section. A key a known section does not have is an
///   error (`Power.Foo: unknown key`). A section the parser does not know is kept in
///   ``SensorEvent/extra``.
/// - Items are separated by `;`, with spaces and tabs around them ignored. One empty item at the
///   end of a section (a trailing `;`) is allowed; an empty item between two others is an error.
/// - Units are matched ignoring case and may be left out. Besides the units of `Power` and
///   `Line`, `hz` may carry `Hz` and `WiFi Strength` may carry `dBm`; list items, `Device` keys
///   and `Dummy` carry none. The unit follows the number without a space.
/// - Numbers have no exponent. Integers must fit in 64 bits; decimals must be finite.
/// - `UTC Time` is `YYYY-M-D H:MM:SS` with one space; `CoilRevesed` is `ON` or `OFF` in any case.
/// - `Peaks` needs at least 3 values; `FFT Re` at least 1, and `FFT Img` as many as `FFT Re`.
/// - A value that is empty is reported like any other bad value: `hz: expected a number with
///   unit Hz, got ""`.
/// - Problems are reported in line order; missing sections and keys after that, in the order
///   `Device`, `Alarms`, `Power`, `Line`, `Peaks`, `FFT Re`, `FFT Img`, `UTC Time`, `hz`,
///   `WiFi Strength`.
public struct EventParser: Sendable {
    /// The longest line accepted, in bytes, without its line ending.
    public static let maximumLineLength = 16384

    /// Creates a parser.
    public init() {}

    /// Parses one line.
    /// - Parameter line: the line's bytes without the LF; a trailing CR is ignored.
    /// - Returns: the clean event.
    /// - Throws: ``ParseError`` naming the field at fault.
    public func parse(_ line: UnsafeBufferPointer<UInt8>) throws(ParseError) -> SensorEvent {
        var count = line.count
        if count > 0, line[count - 1] == 0x0D { count -= 1 }
        guard count > 0, let base = line.baseAddress else {
            throw ParseError(field: "line", message: "empty")
        }
        guard count <= Self.maximumLineLength else {
            throw ParseError(
                field: "line", message: "\(count) bytes, longer than the \(Self.maximumLineLength) allowed")
        }
        try Self.validate(base, count: count)
        if ByteSpan(base, 0, count).trimmed().isEmpty {
            throw ParseError(field: "line", message: "empty")
        }
        var builder = EventBuilder(base: base)
        try builder.read(count: count)
        return try builder.finish()
    }

    /// Parses one line given as an array of bytes.
    public func parse(_ line: [UInt8]) throws(ParseError) -> SensorEvent {
        let result: Result<SensorEvent, ParseError> = line.withUnsafeBufferPointer { buffer in
            do throws(ParseError) { return .success(try parse(buffer)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Parses one line given as a string.
    public func parse(_ line: String) throws(ParseError) -> SensorEvent {
        try parse(Array(line.utf8))
    }
}
