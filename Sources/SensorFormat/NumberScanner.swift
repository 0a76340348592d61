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
        var significant = 0
        var fractionDigits = 0
        var digitCount = 0
        var separators = 0
        var sawDot = false
        var sawComma = false
        while i < end {
            let byte = base[i]
            let digit = byte &- ASCII.zero
            if digit < 10 {
                digitCount += 1
                if separators > 0 { fractionDigits += 1 }
                // Leading zeros are not significant; the 19 digits kept always fit in a UInt64.
                if mantissa != 0 || digit != 0 {
                    if significant < 19 { mantissa = mantissa &* 10 &+ UInt64(digit) }
                    significant += 1
                }
            } else if byte == ASCII.dot {
                sawDot = true
                separators += 1
            } else if byte == ASCII.comma {
                sawComma = true
                separators += 1
            } else {
                break
            }
            i += 1
        }
        if sawDot && sawComma { return .bothSeparators }
        guard digitCount > 0, separators <= 1 else { return .invalid }

        // An integer below 2^53 and a power of ten up to 10^22 are both exact doubles, so one
        // IEEE division rounds correctly.
        if significant <= 19, mantissa <= 1 << 53, fractionDigits <= 22 {
            let magnitude = Double(mantissa) / powersOfTen[fractionDigits]
            return .number(negative ? -magnitude : magnitude, end: i)
        }
        return .number(slowDecimal(base, digitsStart, i, negative: negative), end: i)
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
