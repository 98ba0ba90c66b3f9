/// What a request or response body holds, as OpenAPI 3.1 (JSON Schema) describes it. Objects list their members;
/// a member that may be missing or null says so.
package indirect enum Schema: Sendable {
    case string(format: String? = nil, pattern: String? = nil, minLength: Int? = nil, maxLength: Int? = nil)
    case integer(minimum: Int? = nil, maximum: Int? = nil)
    case boolean
    case oneOf([String])
    case array(Schema)
    /// `required` are always there; the others may be missing.
    case object([String: Schema], required: [String])
    case map(Schema)
    case nullable(Schema)
    case reference(String)
    case described(Schema, String)
    /// A member of a ``record(_:)`` that may be missing.
    case optional(Schema)
    case anything

    package static let string = Schema.string()
    package static let integer = Schema.integer()
    /// An amount in euro cents.
    package static let cents = Schema.described(.integer(), "euro cents")
    package static let date = Schema.string(format: "date")
    package static let dateTime = Schema.string(format: "date-time")
    package static let uuid = Schema.string(format: "uuid")
    /// A store id, SKU or order id: 1–48 ASCII letters, digits, `-` or `_`.
    package static let identifier = Schema.string(pattern: "^[A-Za-z0-9_-]{1,48}$")
    /// A tax id: 2–20 letters and digits.
    package static let taxId = Schema.string(pattern: "^[A-Za-z0-9]{2,20}$")
    /// A Spanish NIF: 9 characters, upper case, its last one a control character.
    package static let nif = Schema.string(pattern: "^[0-9A-Z][0-9]{7}[0-9A-Z]$")

    /// Text for people: 1 to `maxLength` characters, no control characters.
    package static func text(_ maxLength: Int) -> Schema {
        .string(pattern: "^[^\u{0000}-\u{001F}\u{007F}]+$", minLength: 1, maxLength: maxLength)
    }

    /// An object whose members are always there, but those marked ``optional(_:)``.
    package static func record(_ members: [String: Schema]) -> Schema {
        .object(members, required: members.filter { if case .optional = $0.value { false } else { true } }.keys.sorted())
    }

    /// A page of `item`s (see ``PageRequest``).
    package static func page(_ item: Schema) -> Schema {
        .object(["items": .array(item), "next": .nullable(.described(.string, "the cursor of the next page, for ?after="))], required: ["items", "next"])
    }

    package var document: DocumentValue {
        switch self {
        case .string(let format, let pattern, let minLength, let maxLength):
            var members: [(String, DocumentValue)] = [("type", .string("string"))]
            if let format { members.append(("format", .string(format))) }
            if let pattern { members.append(("pattern", .string(pattern))) }
            if let minLength { members.append(("minLength", .integer(minLength))) }
            if let maxLength { members.append(("maxLength", .integer(maxLength))) }
            return .object(members)
        case .integer(let minimum, let maximum):
            var members: [(String, DocumentValue)] = [("type", .string("integer"))]
            if let minimum { members.append(("minimum", .integer(minimum))) }
            if let maximum { members.append(("maximum", .integer(maximum))) }
            return .object(members)
        case .boolean: return .object([("type", .string("boolean"))])
        case .oneOf(let values): return .object([("type", .string("string")), ("enum", .array(values.map { .string($0) }))])
        case .array(let item): return .object([("type", .string("array")), ("items", item.document)])
        case .object(let members, let required):
            var fields: [(String, DocumentValue)] = [("type", .string("object"))]
            if !required.isEmpty { fields.append(("required", .array(required.sorted().map { .string($0) }))) }
            fields.append(("properties", .object(members.keys.sorted().map { ($0, members[$0]!.document) })))
            return .object(fields)
        case .map(let value): return .object([("type", .string("object")), ("additionalProperties", value.document)])
        case .nullable(let schema): return .object([("oneOf", .array([schema.document, .object([("type", .string("null"))])]))])
        case .reference(let name): return .object([("$ref", .string("#/components/schemas/\(name)"))])
        case .optional(let schema): return schema.document
        case .described(let schema, let text):
            guard case .object(var members) = schema.document else { return schema.document }
            if members.first?.0 == "$ref" { return .object([("allOf", .array([schema.document])), ("description", .string(text))]) }
            members.append(("description", .string(text)))
            return .object(members)
        case .anything: return .object([])
        }
    }
}
