import Glibc

/// Seconds on the monotonic clock, for timers that wall-clock changes must not disturb.
enum MonotonicClock {
    /// The current time. The corresponding C function is `clock_gettime(CLOCK_MONOTONIC)`.
    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
