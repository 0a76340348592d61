/// Floating-point reductions done in the same order as NumPy and its BLAS, so that results
/// agree to the last bit.
enum NumPyArithmetic {
    /// The block below which NumPy's pairwise summation stops splitting.
    static let pairwiseBlock = 128

    /// The sum of a contiguous 1-D array as `np.sum` computes it: pairwise, with eight
    /// interleaved accumulators per block of at most 128 values, added to the identity 0.
    static func sum(_ values: UnsafeBufferPointer<Double>) -> Double {
        0.0 + pairwiseSum(values.baseAddress, values.count)
    }

    private static func pairwiseSum(_ base: UnsafePointer<Double>?, _ count: Int) -> Double {
        guard let a = base, count > 0 else { return 0.0 }
        if count < 8 {
            var result = 0.0
            for i in 0..<count { result += a[i] }
            return result
        }
        if count <= pairwiseBlock {
            var r0 = a[0], r1 = a[1], r2 = a[2], r3 = a[3]
            var r4 = a[4], r5 = a[5], r6 = a[6], r7 = a[7]
            var i = 8
            let blocked = count - count % 8
            while i < blocked {
                r0 += a[i]; r1 += a[i + 1]; r2 += a[i + 2]; r3 += a[i + 3]
                r4 += a[i + 4]; r5 += a[i + 5]; r6 += a[i + 6]; r7 += a[i + 7]
                i += 8
            }
            var result = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
            while i < count {
                result += a[i]
                i += 1
            }
            return result
        }
        var half = count / 2
        half -= half % 8
        return pairwiseSum(a, half) + pairwiseSum(a + half, count - half)
    }

    /// A dot product as the BLAS kernels behind NumPy compute short vectors: one fused
    /// multiply-add after another, starting from zero.
    @inline(__always)
    static func fusedDot(_ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, _ count: Int) -> Double {
        var result = 0.0
        for j in 0..<count { result = result.addingProduct(x[j], y[j]) }
        return result
    }

    /// The squared distance as scikit-learn's brute-force euclidean reductions compute it:
    /// `max(0, (‖x‖² − 2 x·y) + ‖y‖²)` with BLAS dot products.
    @inline(__always)
    static func gemmSquaredDistance(
        _ x: UnsafePointer<Double>, xNorm: Double, _ y: UnsafePointer<Double>, yNorm: Double, _ count: Int
    ) -> Double {
        let middle = -2.0 * fusedDot(x, y, count)
        return max(0.0, (xNorm + middle) + yNorm)
    }

    /// The squared distance summed dimension by dimension, as scikit-learn's trees compute it.
    @inline(__always)
    static func squaredDistance(_ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, _ count: Int) -> Double {
        var result = 0.0
        for j in 0..<count {
            let difference = x[j] - y[j]
            result += difference * difference
        }
        return result
    }
}
