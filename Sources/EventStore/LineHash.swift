/// A 128-bit fingerprint of a line's bytes, used to recognise a line already stored.
///
/// Two independent 64-bit lanes with different multipliers and rotations, each finished with
/// the SplitMix64 mixer; the chance that two different lines of one home collide is negligible
/// (about n² / 2¹²⁹ for n lines).
public struct LineHash: Sendable, Hashable {
    /// The two lanes.
    public var high: UInt64
    public var low: UInt64

    /// Hashes the bytes of a line; `length` is the line's full length, which may exceed the
    /// bytes kept for an overlong line, and `seed` sets lines of different devices apart.
    public init(_ bytes: UnsafeRawBufferPointer, length: Int, seed: Int64 = 0) {
        var a: UInt64 = 0x243F_6A88_85A3_08D3 ^ UInt64(truncatingIfNeeded: length) ^ Self.mix(UInt64(bitPattern: seed))
        var b: UInt64 = 0x1319_8A2E_0370_7344 &+ UInt64(truncatingIfNeeded: length) &* 0x9E37_79B9_7F4A_7C15
        b ^= UInt64(bitPattern: seed).rotatedLeft(by: 23)
        let count = bytes.count
        var offset = 0
        while offset + 8 <= count {
            let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            a = ((a ^ word) &* 0x9E37_79B9_7F4A_7C15).rotatedLeft(by: 31)
            b = ((b ^ word.rotatedLeft(by: 17)) &* 0xC2B2_AE3D_27D4_EB4F).rotatedLeft(by: 29)
            offset += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while offset < count {
            tail |= UInt64(bytes[offset]) << shift
            shift += 8
            offset += 1
        }
        a = ((a ^ tail ^ (shift << 56)) &* 0x9E37_79B9_7F4A_7C15).rotatedLeft(by: 31)
        b = ((b ^ tail.rotatedLeft(by: 17) ^ shift) &* 0xC2B2_AE3D_27D4_EB4F).rotatedLeft(by: 29)
        high = Self.mix(a ^ b.rotatedLeft(by: 13))
        low = Self.mix(b &+ a)
    }

    /// The 16 bytes stored in the database, big-endian high lane first.
    public var bytes: [UInt8] {
        var result = [UInt8](repeating: 0, count: 16)
        for index in 0..<8 {
            result[index] = UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64(index)))
            result[8 + index] = UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64(index)))
        }
        return result
    }

    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension UInt64 {
    fileprivate func rotatedLeft(by count: UInt64) -> UInt64 {
        (self << count) | (self >> (64 - count))
    }
}
