/// Reads the numbers of a line: decimals with `.` or `,` as separator, and integers.
///
/// A decimal is an optional sign, digits, and at most one separator with digits on at least one
/// side of it (`7.3`, `-43,841`, `.5`, `5.`). There are no exponents, no `inf`, no `nan` and no
/// hexadecimal forms: the sensor never writes them, and accepting them would only let garbage
/// through. The value is the correctly rounded double, bit for bit what `strtod` and Python's
/// `float()` give for the same text.
enum NumberScanner {
    /// The outcome of scanning a number at the start of a span.
    enum Outcome {
        /// A number, and the index where the text after it (a unit) starts.
        case number(Double, end: Int)
        /// The text holds both `.` and `,`.
        case bothSeparators
        /// The text does not start with a number of the accepted form.
        case invalid
    }

    /// The exact powers of ten that a double holds: 10^0 through 10^22.
    static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// Scans a decimal number at the start of `span`; the rest of the span is left to the caller.
    @inline(__always)
    static func decimal(_ span: ByteSpan) -> Outcome {
        let base = span.base
        var i = span.start
        let end = span.end
        var negative = false
        if i < end, base[i] == ASCII.minus || base[i] == ASCII.plus {
            negative = base[i] == ASCII.minus
            i += 1
        }
        let digitsStart = i
        var mantissa: UInt64 = 0
        // Digits from the first non-zero one on; the mantissa is exact while there are at most 19.
        var significant = 0
        var fractionDigits = 0
        var anyDigit = false
        while i < end, base[i] == ASCII.zero {
            anyDigit = true
            i += 1
        }
        while i < end {
            let digit = base[i] &- ASCII.zero
            guard digit < 10 else { break }
            mantissa = mantissa &* 10 &+ UInt64(digit)
            significant += 1
            i += 1
        }
        if i < end, base[i] == ASCII.dot || base[i] == ASCII.comma {
            i += 1
            if significant == 0 {
                while i < end, base[i] == ASCII.zero {
                    anyDigit = true
                    fractionDigits += 1
                    i += 1
                }
            }
            let fractionStart = i
            while i < end {
                let digit = base[i] &- ASCII.zero
                guard digit < 10 else { break }
                mantissa = mantissa &* 10 &+ UInt64(digit)
                i += 1
            }
            significant += i - fractionStart
            fractionDigits += i - fractionStart
        }
        if i < end, base[i] == ASCII.dot || base[i] == ASCII.comma {
            return extraSeparator(base, digitsStart, end)
        }
        guard anyDigit || significant > 0 else { return .invalid }

        if significant <= 19, fractionDigits <= 22 {
            if mantissa <= 1 << 53 {
                let magnitude = Double(mantissa) / powersOfTen[fractionDigits]
                return .number(negative ? -magnitude : magnitude, end: i)
            }
            if let magnitude = roundedQuotient(mantissa, fractionDigits) {
                return .number(negative ? -magnitude : magnitude, end: i)
            }
        }
        return .number(slowDecimal(base, digitsStart, i, negative: negative), end: i)
    }

    /// `mantissa / 10^exponent` correctly rounded, for a mantissa above 2^53 (16 to 19 digits), or
    /// `nil` in the rare cases this does not handle.
    ///
    /// The quotient of the two doubles is within an ulp or two of the true value; exact 128-bit
    /// integer comparisons with the midpoints to its neighbours then pick the correctly rounded
    /// double, ties to even.
    @inline(__always)
    static func roundedQuotient(_ mantissa: UInt64, _ exponent: Int) -> Double? {
        guard exponent > 0 else { return Double(mantissa) }
        let power = powersOfTenWide[exponent]
        var candidate = Double(mantissa) / powersOfTen[exponent]
        for _ in 0..<4 {
            let significand = candidate.significandBitPattern | (1 << 52)
            let shift = 52 - Int(candidate.exponent) + 1
            // A power of two has a nearer neighbour below; an integer part of 2^53 or more, or a
            // shift the mantissa does not survive, is left to the slow path.
            guard significand != 1 << 52, shift > 1, shift - 64 < mantissa.leadingZeroBitCount else { return nil }
            // mantissa / 10^e against (2 s ± 1) / 2^shift, both sides multiplied by 10^e 2^shift.
            let scaled = shifted(mantissa, shift)
            let above = product(2 * significand + 1, power)
            let below = product(2 * significand - 1, power)
            let odd = significand & 1 == 1
            if scaled > above || (scaled == above && odd) {
                candidate = candidate.nextUp
            } else if scaled < below || (scaled == below && odd) {
                candidate = candidate.nextDown
            } else {
                return candidate
            }
        }
        return nil
    }

    /// A 128-bit unsigned integer as two words, compared high word first.
    struct Wide: Comparable {
        var high: UInt64
        var low: UInt64

        static func < (lhs: Wide, rhs: Wide) -> Bool {
            lhs.high != rhs.high ? lhs.high < rhs.high : lhs.low < rhs.low
        }
    }

    /// `value * 2^shift`, for a shift that keeps it below 2^128.
    @inline(__always)
    static func shifted(_ value: UInt64, _ shift: Int) -> Wide {
        if shift >= 64 { return Wide(high: value << UInt64(shift - 64), low: 0) }
        return Wide(high: value >> UInt64(64 - shift), low: value << UInt64(shift))
    }

    /// `factor * power` for a factor below 2^55 and a power of ten up to 10^22, which stays below 2^128.
    @inline(__always)
    static func product(_ factor: UInt64, _ power: Wide) -> Wide {
        let (high, low) = factor.multipliedFullWidth(by: power.low)
        return Wide(high: high &+ factor &* power.high, low: low)
    }

    /// 10^0 through 10^22 as 128-bit integers.
    static let powersOfTenWide: [Wide] = {
        var result = [Wide(high: 0, low: 1)]
        for _ in 1...22 {
            let last = result[result.count - 1]
            let (high, low) = UInt64(10).multipliedFullWidth(by: last.low)
            result.append(Wide(high: high &+ 10 &* last.high, low: low))
        }
        return result
    }()

    /// The outcome for a number with a second separator: never a number.
    static func extraSeparator(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Outcome {
        var sawDot = false
        var sawComma = false
        var i = start
        while i < end {
            let byte = base[i]
            if byte == ASCII.dot {
                sawDot = true
            } else if byte == ASCII.comma {
                sawComma = true
            } else if !ASCII.isDigit(byte) {
                break
            }
            i += 1
        }
        return sawDot && sawComma ? .bothSeparators : .invalid
    }

    /// Converts through the standard library, which rounds correctly, with `.` as separator.
    static func slowDecimal(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int, negative: Bool) -> Double {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(end - start + 2)
        if negative { bytes.append(ASCII.minus) }
        for k in start..<end { bytes.append(base[k] == ASCII.comma ? ASCII.dot : base[k]) }
        // The syntax was checked above, so the conversion cannot fail.
        let magnitude = Double(String(decoding: bytes, as: UTF8.self)) ?? .nan
        return magnitude
    }

    /// The outcome of scanning an integer at the start of a span.
    enum IntegerOutcome {
        /// An integer, and the index where the text after it starts.
        case integer(Int64, end: Int)
        /// Digits that do not fit in 64 bits.
        case outOfRange
        /// The text does not start with an integer.
        case invalid
    }

    /// Scans an optionally signed decimal integer at the start of `span`.
    @inline(__always)
    static func integer(_ span: ByteSpan) -> IntegerOutcome {
        let base = span.base
        var i = span.start
        let end = span.end
        var negative = false
        if i < end, base[i] == ASCII.minus || base[i] == ASCII.plus {
            negative = base[i] == ASCII.minus
            i += 1
        }
        let digitsStart = i
        // Accumulated as a negative number, so that Int64.min fits.
        var value: Int64 = 0
        var overflow = false
        while i < end {
            let digit = base[i] &- ASCII.zero
            guard digit < 10 else { break }
            if !overflow {
                let (times, o1) = value.multipliedReportingOverflow(by: 10)
                let (minus, o2) = times.subtractingReportingOverflow(Int64(digit))
                overflow = o1 || o2
                value = minus
            }
            i += 1
        }
        guard i > digitsStart else { return .invalid }
        if overflow { return .outOfRange }
        if negative { return .integer(value, end: i) }
        guard value != .min else { return .outOfRange }
        return .integer(-value, end: i)
    }
}
