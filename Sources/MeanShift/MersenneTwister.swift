/// The MT19937 Mersenne Twister generator, as NumPy's legacy `RandomState` uses it.
///
/// Seeding with an integer follows the reference `init_genrand`, so the stream of 32-bit
/// outputs for a given seed matches `numpy.random.RandomState(seed)`.
public struct MersenneTwister: Sendable {
    private static let stateCount = 624
    private static let shift = 397

    private var state: [UInt32]
    private var position: Int

    /// Creates a generator seeded the way `RandomState(seed)` seeds it for an integer seed.
    /// - Parameter seed: the seed; NumPy accepts 0 ... 2³² − 1.
    public init(seed: UInt32) {
        var state = [UInt32](repeating: 0, count: Self.stateCount)
        state[0] = seed
        for i in 1..<Self.stateCount {
            let previous = state[i - 1]
            state[i] = 1_812_433_253 &* (previous ^ (previous >> 30)) &+ UInt32(i)
        }
        self.state = state
        self.position = Self.stateCount
    }

    /// Returns the next 32-bit output (`genrand_int32`).
    public mutating func next32() -> UInt32 {
        if position >= Self.stateCount { regenerate() }
        var y = state[position]
        position += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9d2c_5680
        y ^= (y << 15) & 0xefc6_0000
        y ^= y >> 18
        return y
    }

    /// Returns the next 64-bit output, two 32-bit outputs with the first as the high half.
    public mutating func next64() -> UInt64 {
        let high = UInt64(next32())
        let low = UInt64(next32())
        return high << 32 | low
    }

    /// Returns a uniformly distributed integer in `0...upperBound` by masked rejection,
    /// like NumPy's `random_interval`.
    /// - Parameter upperBound: the largest value that may be returned.
    public mutating func nextInterval(upTo upperBound: UInt64) -> UInt64 {
        if upperBound == 0 { return 0 }
        var mask = upperBound
        mask |= mask >> 1
        mask |= mask >> 2
        mask |= mask >> 4
        mask |= mask >> 8
        mask |= mask >> 16
        mask |= mask >> 32
        if upperBound <= 0xffff_ffff {
            while true {
                let value = UInt64(next32()) & mask
                if value <= upperBound { return value }
            }
        }
        while true {
            let value = next64() & mask
            if value <= upperBound { return value }
        }
    }

    /// Returns a random permutation of `0..<count`, equal to `RandomState.permutation(count)`
    /// for a generator in the same state (a Fisher–Yates shuffle walking down from the end).
    /// - Parameter count: the number of elements.
    public mutating func permutation(_ count: Int) -> [Int] {
        var result = Array(0..<max(count, 0))
        var i = count - 1
        while i >= 1 {
            let j = Int(nextInterval(upTo: UInt64(i)))
            result.swapAt(i, j)
            i -= 1
        }
        return result
    }

    private mutating func regenerate() {
        let upper: UInt32 = 0x8000_0000
        let lower: UInt32 = 0x7fff_ffff
        let n = Self.stateCount
        let m = Self.shift
        for k in 0..<n {
            let y = (state[k] & upper) | (state[(k + 1) % n] & lower)
            var value = state[(k + m) % n] ^ (y >> 1)
            if y & 1 != 0 { value ^= 0x9908_b0df }
            state[k] = value
        }
        position = 0
    }
}
