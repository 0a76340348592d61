import Glibc

/// Number and text formatting for the SVG and HTML renderings (JSON has its own, exact one).
enum TextFormat {
    /// `value` rounded to `decimals` places, without exponent: `1968.6`, `-0.25`, `322`.
    static func fixed(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return "–" }
        let scaled = (Swift.abs(value) * pow(10, Double(decimals))).rounded()
        // Beyond 2^53 the digits are not exact any more; the plain description is as good.
        guard scaled < 9.0e15 else { return value.description }
        var digits = String(Int64(scaled))
        if decimals > 0 {
            if digits.count <= decimals { digits = String(repeating: "0", count: decimals + 1 - digits.count) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -decimals))
        }
        return (value < 0 && scaled != 0 ? "-" : "") + digits
    }

    /// A coordinate in user units with one decimal, trailing `.0` dropped.
    static func coordinate(_ value: Double) -> String {
        let text = fixed(value, decimals: 1)
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }

    /// A share as a percentage with one decimal: `32.2 %`.
    static func percent(_ share: Double) -> String {
        fixed(share * 100, decimals: 1) + " %"
    }

    /// Text made safe for XML and HTML content and attribute values.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    /// Evenly spaced round values (1, 2 or 5 times a power of ten) covering `low...high`, about
    /// `count` of them, and the decimals their labels need.
    static func ticks(low: Double, high: Double, count: Int = 5) -> (values: [Double], decimals: Int) {
        var low = low
        var high = high
        if !(low.isFinite && high.isFinite) {
            low = 0
            high = 1
        }
        if high <= low {
            let pad = Swift.max(Swift.abs(low) * 0.05, 0.5)
            low -= pad
            high += pad
        }
        let raw = (high - low) / Double(Swift.max(count, 1))
        let magnitude = pow(10, floor(log10(raw)))
        let residual = raw / magnitude
        let step = (residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10) * magnitude
        let first = floor(low / step)
        let last = ceil(high / step)
        let values = stride(from: first, through: last, by: 1).map { $0 * step }
        return (values, Swift.max(0, -Int(floor(log10(step)))))
    }
}
