import Foundation

/// A parameter for a statement, in PostgreSQL's text format; the server casts it to the column's type.
package enum PostgresValue: Sendable, Hashable {
    case null
    case text(String)
}

/// A Swift value that can be sent as a statement parameter or a COPY field.
package protocol PostgresEncodable: Sendable {
    var postgresValue: PostgresValue { get }
}

/// A Swift value that can be read from a result column's text.
package protocol PostgresDecodable {
    init?(postgresText: String)
}

extension PostgresValue: PostgresEncodable {
    package var postgresValue: PostgresValue { self }
}

extension String: PostgresEncodable, PostgresDecodable {
    package var postgresValue: PostgresValue { .text(self) }
    package init?(postgresText: String) { self = postgresText }
}

extension Int: PostgresEncodable, PostgresDecodable {
    package var postgresValue: PostgresValue { .text(String(self)) }
    package init?(postgresText: String) { self.init(postgresText) }
}

extension Int64: PostgresEncodable, PostgresDecodable {
    package var postgresValue: PostgresValue { .text(String(self)) }
    package init?(postgresText: String) { self.init(postgresText) }
}

extension Int32: PostgresEncodable, PostgresDecodable {
    package var postgresValue: PostgresValue { .text(String(self)) }
    package init?(postgresText: String) { self.init(postgresText) }
}

extension Bool: PostgresEncodable, PostgresDecodable {
    package var postgresValue: PostgresValue { .text(self ? "t" : "f") }
    package init?(postgresText: String) {
        switch postgresText {
        case "t", "true": self = true
        case "f", "false": self = false
        default: return nil
        }
    }
}

extension UUID: PostgresEncodable, PostgresDecodable {
    package var postgresValue: PostgresValue { .text(uuidString.lowercased()) }
    package init?(postgresText: String) { self.init(uuidString: postgresText) }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    package var postgresValue: PostgresValue { self?.postgresValue ?? .null }
}

/// Quoting for identifiers (schema, table and column names), never for values: values are always parameters.
package enum PostgresIdentifier {
    package static func quote(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A lower-case name made of letters, digits and underscores, as Trastienda's schemas are.
    package static func isPlain(_ identifier: String) -> Bool {
        guard let first = identifier.unicodeScalars.first, first.properties.isLowercase || first == "_" else { return false }
        return identifier.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isLowercase || ("0"..."9").contains($0))) || $0 == "_" }
            && identifier.count <= 63
    }
}
