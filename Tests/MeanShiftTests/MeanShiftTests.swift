import Testing

import MeanShift

@Suite("Mean shift parameters and small cases")
struct MeanShiftTests {
    @Test(arguments: [0.0, -1.0, Double.nan, Double.infinity])
    func refusesBadBandwidth(bandwidth: Double) {
        let matrix = FeatureMatrix(rowValues: [[1, 2], [3, 4]])
        #expect(throws: MeanShiftError.self) { try MeanShift(bandwidth: bandwidth).fit(matrix) }
        do {
            _ = try MeanShift(bandwidth: bandwidth).fit(matrix)
        } catch let error as MeanShiftError {
            #expect(error.kind == .invalidBandwidth)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func bandwidthOfTooFewRowsIsZero() throws {
        // With 4 rows, k = ⌊4 × 0.2⌋ = 0 → 1: every row is its own nearest neighbour.
        let matrix = FeatureMatrix(rowValues: [[1, 2], [3, 4], [5, 6], [7, 9]])
        #expect(try estimateBandwidth(matrix) == 0)
    }

    @Test func refusesNonFiniteData() {
        let matrix = FeatureMatrix(rowValues: [[1, 2], [3, .nan]])
        #expect(throws: MeanShiftError(.nonFiniteValue, "row 2, column 2: expected a finite number, got nan")) {
            try estimateBandwidth(matrix)
        }
    }

    @Test func refusesEmptyData() {
        let matrix = FeatureMatrix(rows: 0, columns: 8, values: [])
        #expect(throws: MeanShiftError.self) { try estimateBandwidth(matrix) }
    }

    @Test func twoGroupsAsScikitLearnLabelsThem() throws {
        var rows: [[Double]] = []
        for i in 0..<20 { rows.append([Double(i % 5) * 0.1, 0]) }
        for i in 0..<10 { rows.append([100 + Double(i % 5) * 0.1, 50]) }
        let matrix = FeatureMatrix(rowValues: rows)
        let bandwidth = try estimateBandwidth(matrix)
        let result = try MeanShift(bandwidth: bandwidth).fit(matrix)
        // scikit-learn 1.9.1: estimate_bandwidth(X, quantile=0.2, n_samples=200) and
        // MeanShift(bandwidth, bin_seeding=True, cluster_all=False).fit(X) on the same rows.
        #expect(bandwidth == 0x1.d0369d0369d9ap-4)
        #expect(result.labels == [0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, -1, 3, 3, 2, 2, -1, 3, 3, 2, 2])
        #expect(result.clusterCenters == [[0.10000000000000002, 0.0], [0.35000000000000003, 0.0], [100.3, 50.0], [100.14999999999999, 50.0]])
        #expect(result.iterations == 2)
    }

    @Test func rowsBeyondTheBandwidthAreUnlabelled() throws {
        let matrix = FeatureMatrix(rowValues: [[0], [0.1], [0.2], [0.15], [10]])
        let result = try MeanShift(bandwidth: 1, binSeeding: false).fit(matrix)
        #expect(result.labels == [0, 0, 0, 0, 1])
        #expect(result.clusterCenters == [[0.11250000000000002], [10.0]])
        #expect(result.iterations == 1)
        let far = FeatureMatrix(rowValues: [[0], [0.1], [0.2], [0.15], [1.5]])
        let seeded = try MeanShift(bandwidth: 1, binSeeding: false, clusterAll: false).fit(far)
        let all = try MeanShift(bandwidth: 1, binSeeding: false, clusterAll: true).fit(far)
        #expect(!all.labels.contains(-1))
        #expect(seeded.labels.count == 5)
    }
}
