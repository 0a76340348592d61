/// Parses one line of the sensor's output into a ``SensorEvent``.
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
        throw ParseError(field: "line", message: "parser not implemented")
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
