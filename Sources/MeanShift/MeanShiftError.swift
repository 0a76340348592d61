/// A reason clustering cannot run, with a sentence a person can act on.
public struct MeanShiftError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The kind of problem.
    public enum Kind: Equatable, Sendable {
        /// The matrix has no rows or no columns.
        case emptyData
        /// A value is NaN or infinite.
        case nonFiniteValue
        /// The quantile is outside 0...1.
        case invalidQuantile
        /// The sample count is not positive.
        case invalidSampleCount
        /// The bandwidth is zero, negative or not finite.
        case invalidBandwidth
        /// No seed had any point within the bandwidth.
        case noPointNearSeeds
        /// Another parameter is out of range.
        case invalidParameter
    }

    /// The kind of problem.
    public let kind: Kind
    /// The explanation, as a sentence.
    public let description: String

    /// Creates an error.
    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}
