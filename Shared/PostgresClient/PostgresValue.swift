import Foundation

/// A parameter for a statement, in PostgreSQL's text format; the server casts it to the column's type.
public enum PostgresValue: Sendable, Hashable {
    case null
    case text(String)
}

/// A Swift value that can be sent as a statement parameter or a COPY field.
public protocol PostgresEncodable: Sendable {
    var postgresValue: PostgresValue { get }
}

/// A Swift value that can be read from a result column's text.
public protocol PostgresDecodable {
    init?(postgresText: String)
}

extension PostgresValue: PostgresEncodable {
    public var postgresValue: PostgresValue { self }
}

extension String: PostgresEncodable, PostgresDecodable {
    public var postgresValue: PostgresValue { .text(self) }
    public init?(postgresText: String) { self = postgresText }
}

extension Int: PostgresEncodable, PostgresDecodable {
    public var postgresValue: PostgresValue { .text(String(self)) }
    public init?(postgresText: String) { self.init(postgresText) }
}

extension Int64: PostgresEncodable, PostgresDecodable {
    public var postgresValue: PostgresValue { .text(String(self)) }
    public init?(postgresText: String) { self.init(postgresText) }
}

extension Int32: PostgresEncodable, PostgresDecodable {
    public var postgresValue: PostgresValue { .text(String(self)) }
    public init?(postgresText: String) { self.init(postgresText) }
}

extension Bool: PostgresEncodable, PostgresDecodable {
    public var postgresValue: PostgresValue { .text(self ? "t" : "f") }
    public init?(postgresText: String) {
        switch postgresText {
        case "t", "true": self = true
        case "f", "false": self = false
        default: return nil
        }
    }
}

extension UUID: PostgresEncodable, PostgresDecodable {
    public var postgresValue: PostgresValue { .text(uuidString.lowercased()) }
    public init?(postgresText: String) { self.init(uuidString: postgresText) }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public var postgresValue: PostgresValue { self?.postgresValue ?? .null }
}

/// Quoting for identifiers (schema, table and column names), never for values: values are always parameters.
public enum PostgresIdentifier {
    public static func quote(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A lower-case name made of letters, digits and underscores, as Trastienda's schemas are.
    public static func isPlain(_ identifier: String) -> Bool {
        guard let first = identifier.unicodeScalars.first, first.properties.isLowercase || first == "_" else { return false }
        return identifier.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isLowercase || ("0"..."9").contains($0))) || $0 == "_" }
            && identifier.count <= 63
    }
}
