/// Why a line is not a sensor event: the field at fault and what was wrong with it.
///
/// `description` reads as one sentence, for example
/// `Power.Active: expected a number with unit W, got "1x1753W"`.
public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field at fault: `Section.Key` (`Power.Active`), a section name (`Peaks`), or `line`
    /// for problems with the line as a whole.
    public var field: String
    /// What was wrong, without the field name.
    public var message: String

    /// Creates an error for a field.
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}
