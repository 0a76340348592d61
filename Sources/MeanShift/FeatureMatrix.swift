/// A dense matrix of features: one row per event, stored row-major (C order) like a NumPy array.
public struct FeatureMatrix: Equatable, Sendable {
    /// The number of rows (samples).
    public let rows: Int
    /// The number of columns (features per sample).
    public let columns: Int
    /// All values, row after row; `values.count == rows * columns`.
    public let values: [Double]

    /// Creates a matrix from row-major values.
    /// - Parameters:
    ///   - rows: the number of rows.
    ///   - columns: the number of columns.
    ///   - values: `rows * columns` values, row after row.
    /// - Precondition: the counts agree and are not negative.
    public init(rows: Int, columns: Int, values: [Double]) {
        precondition(rows >= 0 && columns >= 0, "negative matrix dimension")
        precondition(values.count == rows * columns, "values.count must equal rows * columns")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// Creates a matrix from a list of rows of equal length.
    /// - Parameters:
    ///   - rowValues: the rows.
    ///   - columns: the width to use when `rowValues` is empty.
    /// - Precondition: every row has the same length.
    public init(rowValues: [[Double]], columns: Int? = nil) {
        let width = rowValues.first?.count ?? columns ?? 0
        var values: [Double] = []
        values.reserveCapacity(rowValues.count * width)
        for row in rowValues {
            precondition(row.count == width, "rows of different lengths")
            values.append(contentsOf: row)
        }
        self.init(rows: rowValues.count, columns: width, values: values)
    }

    /// The value at a row and column.
    public subscript(row: Int, column: Int) -> Double {
        values[row * columns + column]
    }

    /// The values of one row.
    /// - Parameter index: the row index.
    /// - Returns: `columns` values.
    public func row(_ index: Int) -> [Double] {
        Array(values[index * columns..<(index + 1) * columns])
    }

    /// The first row and column holding NaN or an infinity, if any.
    public var firstNonFiniteValue: (row: Int, column: Int)? {
        guard columns > 0 else { return nil }
        for (offset, value) in values.enumerated() where !value.isFinite {
            return (offset / columns, offset % columns)
        }
        return nil
    }

    /// The matrix made of the given rows, in the given order (`X[indices]` in NumPy).
    /// - Parameter indices: row indices.
    /// - Returns: a matrix with `indices.count` rows.
    public func selecting(rows indices: some Collection<Int>) -> FeatureMatrix {
        var selected: [Double] = []
        selected.reserveCapacity(indices.count * columns)
        for index in indices {
            selected.append(contentsOf: values[index * columns..<(index + 1) * columns])
        }
        return FeatureMatrix(rows: indices.count, columns: columns, values: selected)
    }
}
