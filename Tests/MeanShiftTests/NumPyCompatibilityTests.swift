import Testing

@testable import MeanShift

@Suite("NumPy-compatible random numbers and sums")
struct NumPyCompatibilityTests {
    @Test func mersenneTwisterFirstOutputsForSeedZero() {
        var generator = MersenneTwister(seed: 0)
        let outputs = (0..<5).map { _ in generator.next32() }
        #expect(outputs == [2_357_136_044, 2_546_248_239, 3_071_714_933, 3_626_093_760, 2_588_848_963])
    }

    @Test(arguments: [
        (UInt32(0), 10, [2, 8, 4, 9, 1, 6, 7, 3, 0, 5]),
        (UInt32(0), 1000, [993, 859, 298, 553, 672, 971, 27, 231, 306, 706]),
        (UInt32(7), 100_000, [33909, 92307, 89107, 9538, 31008]),
    ])
    func permutationMatchesRandomState(seed: UInt32, count: Int, prefix: [Int]) {
        var generator = MersenneTwister(seed: seed)
        let permutation = generator.permutation(count)
        #expect(Array(permutation.prefix(prefix.count)) == prefix)
        #expect(permutation.sorted() == Array(0..<count))
    }

    @Test func intervalDrawsStayInRange() {
        var generator = MersenneTwister(seed: 42)
        for upper in [UInt64(0), 1, 2, 3, 5, 1000, 0xffff_ffff, 0x1_0000_0000] {
            for _ in 0..<50 { #expect(generator.nextInterval(upTo: upper) <= upper) }
        }
    }

    @Test(arguments: [
        (7, 4.986702158477126), (100, 248.44129042816465), (333, 1502.2142028451951), (1000, 7806.058678367873),
    ])
    func pairwiseSumMatchesNumPy(count: Int, expected: Double) {
        let values = (1...count).map { Double($0).squareRoot() * 0.37 }
        let sum = values.withUnsafeBufferPointer { NumPyArithmetic.sum($0) }
        #expect(sum == expected)
    }

    @Test func treeOrderMatchesScikitLearn() throws {
        let data = try Fixture.features("household-3000").prefix(1000)
        let matrix = FeatureMatrix(rowValues: Array(data))
        let tree = matrix.values.withUnsafeBufferPointer { KDTree($0, rows: 1000, columns: 8) }
        let order = (0..<40).map { tree.order[$0] }
        // KDTree(X[:1000], leaf_size=30).get_arrays()[1][:40] with scikit-learn 1.9.1.
        #expect(order == [
            292, 0, 293, 553, 978, 291, 975, 974, 452, 414, 510, 437, 494, 496, 480, 454, 305, 290, 432, 830,
            427, 429, 300, 459, 436, 426, 302, 421, 416, 460, 487, 499, 513, 530, 965, 964, 435, 461, 297, 537,
        ])
    }
}
