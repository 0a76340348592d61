extension EventBuilder {
    /// Takes the item at `start` when it is a list number or a `Key=value` written the plain way,
    /// without first finding where it ends.
    ///
    /// Most items of a line are such items. Anything unusual (an error, a section name, spaces
    /// within the item, an empty item) returns `nil` and changes nothing, so that the general
    /// path reads the item and gives the same result or the error.
    /// - Returns: the index of the `;` after the item, or the line's end.
    @inline(__always)
    mutating func fastItem(_ start: Int, count: Int) -> Int? {
        guard !pendingEmpty else { return nil }
        var s = start
        while s < count, base[s] == ASCII.space { s += 1 }
        guard s < count else { return nil }
        switch section {
        case .peaks, .fftReal, .fftImaginary:
            guard case .number(let value, let end) = NumberScanner.decimal(ByteSpan(base, s, count)),
                value.isFinite, let after = itemEnd(end, count: count)
            else { return nil }
            switch section {
            case .peaks: peaks.append(value)
            case .fftReal: fftReal.append(value)
            default: fftImaginary.append(value)
            }
            return after
        case .device, .alarms, .power, .line:
            var j = s
            while j < count, ASCII.isLetter(base[j]) { j += 1 }
            guard j < count, j > s, base[j] == ASCII.equals,
                let key = Self.key(ByteSpan(base, s, j), in: section), seenKeys & key.bit == 0
            else { return nil }
            let valueStart = j + 1
            switch key {
            case .coilReversed:
                var k = valueStart
                while k < count, ASCII.isLetter(base[k]) { k += 1 }
                let word = ByteSpan(base, valueStart, k)
                guard let after = itemEnd(k, count: count) else { return nil }
                if word.equalsIgnoringCase("ON") {
                    coilReversed = true
                } else if word.equalsIgnoringCase("OFF") {
                    coilReversed = false
                } else {
                    return nil
                }
                seenKeys |= key.bit
                return after
            case .id, .firmware, .event:
                guard case .integer(let value, let end) = NumberScanner.integer(ByteSpan(base, valueStart, count)),
                    let after = itemEnd(end, count: count)
                else { return nil }
                switch key {
                case .id: deviceID = value
                case .firmware: firmware = value
                default: eventCode = value
                }
                seenKeys |= key.bit
                return after
            default:
                guard case .number(let value, let end) = NumberScanner.decimal(ByteSpan(base, valueStart, count)),
                    value.isFinite
                else { return nil }
                var unitEnd = end
                while unitEnd < count, ASCII.isLetter(base[unitEnd]) { unitEnd += 1 }
                guard let after = itemEnd(unitEnd, count: count) else { return nil }
                let unit = ByteSpan(base, end, unitEnd)
                switch key {
                case .active:
                    guard unit.isEmpty || unit.equalsIgnoringCase("W") else { return nil }
                    activePower = value
                case .reactive:
                    guard unit.isEmpty || unit.equalsIgnoringCase("var") else { return nil }
                    reactivePower = value
                case .apparent:
                    guard unit.isEmpty || unit.equalsIgnoringCase("VA") else { return nil }
                    apparentPower = value
                case .current:
                    guard unit.isEmpty || unit.equalsIgnoringCase("A") else { return nil }
                    current = value
                case .voltage:
                    guard unit.isEmpty || unit.equalsIgnoringCase("V") else { return nil }
                    voltage = value
                default:
                    guard unit.isEmpty || unit.equalsIgnoringCase("rad") else { return nil }
                    phase = value
                }
                seenKeys |= key.bit
                return after
            }
        default:
            return nil
        }
    }

    /// The index of the `;` or line end when only spaces follow `index` up to it, else `nil`.
    @inline(__always)
    private func itemEnd(_ index: Int, count: Int) -> Int? {
        var k = index
        while k < count, base[k] == ASCII.space { k += 1 }
        guard k == count || base[k] == ASCII.semicolon else { return nil }
        return k
    }
}
