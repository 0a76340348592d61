import Testing

import MeanShift

/// The committed scikit-learn results, reproduced exactly. Regenerate them by running the
/// reference code (see tools/sklearn-meanshift) on the fixture features.
@Suite("Golden results from scikit-learn 1.9.1")
struct GoldenTests {
    @Test(arguments: ["household-3000", "household-dirty-2000"])
    func committedFixtures(stem: String) throws {
        try check(stem: stem, shared: false)
    }

    @Test(.enabled(if: Fixture.sharedDataPresent, "skipped: ../shared/data not present"))
    func realCapture() throws {
        try check(stem: "events-real-1000", shared: true)
    }

    @Test func realCaptureAvailability() {
        if !Fixture.sharedDataPresent {
            print("note: skipped the events-real-1000 golden test: ../shared/data not present")
        }
    }

    private func check(stem: String, shared: Bool) throws {
        let features = try Fixture.features(stem, shared: shared)
        for run in try Fixture.runs(stem, shared: shared) {
            let matrix = FeatureMatrix(rowValues: Array(features.prefix(run.events)))
            let bandwidth = try estimateBandwidth(matrix, quantile: 0.2, sampleCount: 200, seed: 0)
            // Foundation's JSON reader may round the last digit on Linux; the parity check
            // (tools/parity-check) compares bandwidths read by Python, which match bit for bit.
            #expect(abs(bandwidth - run.bandwidth) <= 1e-12 * run.bandwidth, "\(stem) first \(run.events)")
            let result = try MeanShift(bandwidth: bandwidth, binSeeding: true, clusterAll: false).fit(matrix)
            #expect(result.labels == run.labels, "\(stem) first \(run.events)")
            #expect(result.iterations == run.iterations, "\(stem) first \(run.events)")
            #expect(result.clusterCenters.count == run.centers.count)
            for (got, want) in zip(result.clusterCenters, run.centers) {
                for (a, b) in zip(got, want) { #expect(abs(a - b) <= 1e-9 * max(1, abs(b))) }
            }
        }
    }
}
