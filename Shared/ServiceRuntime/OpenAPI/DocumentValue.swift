/// A JSON value with its members in a fixed order, written as JSON (served) or YAML (committed in `docs/openapi`).
package indirect enum DocumentValue: Sendable, Equatable {
    case string(String)
    case integer(Int)
    case boolean(Bool)
    case array([DocumentValue])
    case object([(String, DocumentValue)])

    package static func == (left: DocumentValue, right: DocumentValue) -> Bool { left.json == right.json }

    /// Compact JSON.
    package var json: String {
        switch self {
        case .string(let text): "\"\(OperationsRoutes.jsonEscaped(text))\""
        case .integer(let value): String(value)
        case .boolean(let value): value ? "true" : "false"
        case .array(let values): "[" + values.map(\.json).joined(separator: ",") + "]"
        case .object(let members): "{" + members.map { "\"\(OperationsRoutes.jsonEscaped($0.0))\":\($0.1.json)" }.joined(separator: ",") + "}"
        }
    }

    /// Block-style YAML, two spaces an indent; every string quoted (JSON's escapes are YAML's double-quoted ones).
    package var yaml: String {
        var lines: [String] = []
        write(into: &lines, indent: "")
        return lines.joined(separator: "\n") + "\n"
    }

    private var isEmptyCollection: Bool {
        switch self {
        case .array(let values): values.isEmpty
        case .object(let members): members.isEmpty
        default: false
        }
    }

    private var scalar: String {
        switch self {
        case .array: "[]"
        case .object: "{}"
        default: json
        }
    }

    private func write(into lines: inout [String], indent: String) {
        switch self {
        case .object(let members):
            for (key, value) in members {
                let name = Self.yamlKey(key)
                if value.isEmptyCollection || value.isScalar {
                    lines.append("\(indent)\(name): \(value.scalar)")
                } else {
                    lines.append("\(indent)\(name):")
                    value.write(into: &lines, indent: indent + "  ")
                }
            }
        case .array(let values):
            for value in values {
                if value.isEmptyCollection || value.isScalar {
                    lines.append("\(indent)- \(value.scalar)")
                } else {
                    var nested: [String] = []
                    value.write(into: &nested, indent: indent + "  ")
                    // The first line of the item goes after the dash.
                    nested[0] = indent + "- " + nested[0].dropFirst(indent.count + 2)
                    lines += nested
                }
            }
        default: lines.append(indent + scalar)
        }
    }

    private var isScalar: Bool {
        switch self {
        case .array, .object: false
        default: true
        }
    }

    /// A key as it is when it cannot be mistaken for anything else in YAML, quoted otherwise.
    private static func yamlKey(_ key: String) -> String {
        let plain = key.first.map { $0.isLetter || $0 == "_" || $0 == "$" } ?? false
            && key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "$") }
            && !["true", "false", "null", "yes", "no", "on", "off", "y", "n"].contains(key.lowercased())
        return plain ? key : "\"\(OperationsRoutes.jsonEscaped(key))\""
    }
}
