/// Why a device's report cannot be made.
public enum ReportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The device has no succeeded clustering run.
    case notClustered(device: Int64)
    /// The database disagrees with itself: the run says it covers `expected` events but only
    /// `found` carry its id.
    case inconsistentRun(device: Int64, run: Int64, expected: Int, found: Int)

    public var description: String {
        switch self {
        case .notClustered(let device):
            return "device \(device) has not been clustered yet; run `energy-agent cluster --device \(device)`"
        case .inconsistentRun(let device, let run, let expected, let found):
            return "device \(device): run \(run) covers \(expected) events but \(found) carry its labels"
        }
    }
}
