import EventStore

/// A JSON value built in memory and rendered as indented text; members keep their order.
enum JSONTree {
    /// Already JSON text: a number, `true`, `false` or `null`.
    case literal(String)
    case string(String)
    case array([JSONTree])
    case object([(String, JSONTree)])

    static let null = JSONTree.literal("null")

    static func number(_ value: Double) -> JSONTree { .literal(JSONText.number(value)) }
    static func number(_ value: Double?) -> JSONTree { value.map(number) ?? .null }
    static func integer<T: BinaryInteger>(_ value: T) -> JSONTree { .literal("\(value)") }
    static func integer<T: BinaryInteger>(_ value: T?) -> JSONTree {
        guard let value else { return .null }
        return .literal("\(value)")
    }
    static func string(_ value: String?) -> JSONTree { value.map { .string($0) } ?? .null }

    /// The text, two spaces per level, with a final newline.
    var text: String {
        var output = ""
        render(into: &output, indent: "")
        return output + "\n"
    }

    private func render(into output: inout String, indent: String) {
        switch self {
        case .literal(let text): output += text
        case .string(let text): output += JSONText.quote(text)
        case .array(let items):
            guard !items.isEmpty else {
                output += "[]"
                return
            }
            // Arrays of plain values stay on one line; they are short here (centers, names).
            if items.allSatisfy(\.isScalar) {
                output += "["
                for (index, item) in items.enumerated() {
                    if index > 0 { output += ", " }
                    item.render(into: &output, indent: indent)
                }
                output += "]"
                return
            }
            let inner = indent + "  "
            output += "[\n"
            for (index, item) in items.enumerated() {
                output += inner
                item.render(into: &output, indent: inner)
                output += index + 1 < items.count ? ",\n" : "\n"
            }
            output += indent + "]"
        case .object(let members):
            guard !members.isEmpty else {
                output += "{}"
                return
            }
            let inner = indent + "  "
            output += "{\n"
            for (index, member) in members.enumerated() {
                output += inner + JSONText.quote(member.0) + ": "
                member.1.render(into: &output, indent: inner)
                output += index + 1 < members.count ? ",\n" : "\n"
            }
            output += indent + "}"
        }
    }

    private var isScalar: Bool {
        switch self {
        case .literal, .string: return true
        case .array, .object: return false
        }
    }
}
