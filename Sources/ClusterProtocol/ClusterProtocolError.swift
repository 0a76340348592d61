/// Input that does not follow the clustering protocol, with a sentence saying where and why.
public struct ClusterProtocolError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The kind of problem.
    public enum Kind: Equatable, Sendable {
        /// The input is empty.
        case empty
        /// The `.npy` magic string or version is wrong.
        case notNpy
        /// The `.npy` header dictionary is malformed or unsupported.
        case badHeader
        /// The element type is not little-endian float64.
        case wrongType
        /// The array has the wrong number of dimensions or columns, or is in Fortran order.
        case wrongShape
        /// The data is shorter than the header announces.
        case truncated
        /// Bytes follow the data the header announces.
        case trailingData
        /// A value is NaN or infinite.
        case nonFinite
        /// A CSV field is not a number.
        case notANumber
        /// A result object is not valid JSON or lacks what the protocol promises.
        case badResult
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
