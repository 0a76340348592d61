extension EventBuilder {
    /// A decimal with an optional unit (`""` for none), or `nil` when it is not acceptable.
    @inline(__always)
    static func decimal(_ value: ByteSpan, unit: StaticString) -> Double? {
        guard case .number(let number, let end) = NumberScanner.decimal(value), number.isFinite else { return nil }
        let rest = ByteSpan(value.base, end, value.end)
        guard rest.isEmpty || (unit.utf8CodeUnitCount > 0 && rest.equalsIgnoringCase(unit)) else { return nil }
        return number
    }

    /// A decimal with an optional unit, or an error for `field`.
    @inline(__always)
    func decimal(_ value: ByteSpan, unit: StaticString, field: String) throws(ParseError) -> Double {
        if let number = Self.decimal(value, unit: unit) { return number }
        throw ParseError(field: field, message: Self.decimalProblem(value, unit: unit, position: nil))
    }

    /// What is wrong with a decimal that ``decimal(_:unit:)`` did not accept.
    /// - Parameter position: the 1-based position of the value in a list, if it is in one.
    static func decimalProblem(_ value: ByteSpan, unit: StaticString, position: Int?) -> String {
        let at = position.map { " (value \($0))" } ?? ""
        let expected = unit.utf8CodeUnitCount > 0 ? "a number with unit \(unit)" : "a number"
        switch NumberScanner.decimal(value) {
        case .bothSeparators:
            return "both \".\" and \",\" as decimal separator, got \(value.quoted)\(at)"
        case .number(let number, let end) where !number.isFinite:
            let rest = ByteSpan(value.base, end, value.end)
            if rest.isEmpty || (unit.utf8CodeUnitCount > 0 && rest.equalsIgnoringCase(unit)) {
                return "number out of range, got \(value.quoted)\(at)"
            }
        default:
            break
        }
        return "expected \(expected), got \(value.quoted)\(at)"
    }

    /// An integer with an optional unit (`""` for none), or an error for `field`.
    @inline(__always)
    func integer(_ value: ByteSpan, unit: StaticString, field: String) throws(ParseError) -> Int64 {
        let outcome = NumberScanner.integer(value)
        if case .integer(let number, let end) = outcome {
            let rest = ByteSpan(value.base, end, value.end)
            if rest.isEmpty || (unit.utf8CodeUnitCount > 0 && rest.equalsIgnoringCase(unit)) { return number }
        }
        if case .outOfRange = outcome, Self.onlyDigits(value) {
            throw ParseError(field: field, message: "integer out of range, got \(value.quoted)")
        }
        let expected = unit.utf8CodeUnitCount > 0 ? "an integer with unit \(unit)" : "an integer"
        throw ParseError(field: field, message: "expected \(expected), got \(value.quoted)")
    }

    private static func onlyDigits(_ value: ByteSpan) -> Bool {
        var i = value.start
        if i < value.end, value.base[i] == ASCII.minus || value.base[i] == ASCII.plus { i += 1 }
        while i < value.end {
            if !ASCII.isDigit(value.base[i]) { return false }
            i += 1
        }
        return true
    }

    /// Reads `YYYY-M-D H:MM:SS`: `nil` when the text has another form, `.some(nil)` when it has this
    /// form but names no real date and time.
    static func timestamp(_ value: ByteSpan) -> UTCTimestamp?? {
        var i = value.start
        let base = value.base
        func number(_ minimum: Int, _ maximum: Int) -> Int? {
            var result = 0
            var digits = 0
            while i < value.end, digits < maximum, ASCII.isDigit(base[i]) {
                result = result * 10 + Int(base[i] - ASCII.zero)
                digits += 1
                i += 1
            }
            return digits >= minimum ? result : nil
        }
        func separator(_ byte: UInt8) -> Bool {
            guard i < value.end, base[i] == byte else { return false }
            i += 1
            return true
        }
        guard let year = number(4, 4), separator(ASCII.minus),
            let month = number(1, 2), separator(ASCII.minus),
            let day = number(1, 2), separator(ASCII.space),
            let hour = number(1, 2), separator(ASCII.colon),
            let minute = number(2, 2), separator(ASCII.colon),
            let second = number(2, 2), i == value.end
        else { return nil }
        return .some(UTCTimestamp(year: year, month: month, day: day, hour: hour, minute: minute, second: second))
    }
}
