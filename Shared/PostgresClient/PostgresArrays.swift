/// Array parameters in PostgreSQL's text form (`{"a","b"}`), for statements that take a whole batch at once
/// through `unnest($1::text[], …)` or `= ANY($1::uuid[])`.
package enum PostgresArrays {
    /// A `text[]` (or `uuid[]`) holding `values` in their order, each quoted.
    package static func text(_ values: [String]) -> String {
        var literal = "{"
        for (index, value) in values.enumerated() {
            if index > 0 { literal += "," }
            literal += "\""
            for character in value.unicodeScalars {
                if character == "\"" || character == "\\" { literal += "\\" }
                literal.unicodeScalars.append(character)
            }
            literal += "\""
        }
        return literal + "}"
    }

    /// A `text[]` holding `values` sorted, so that row locks taken through it come in one order.
    package static func text(_ values: Set<String>) -> String { text(values.sorted()) }

    /// A `bigint[]`.
    package static func bigint(_ values: [Int64]) -> String {
        "{" + values.map(String.init).joined(separator: ",") + "}"
    }

    /// A `boolean[]`.
    package static func boolean(_ values: [Bool]) -> String {
        "{" + values.map { $0 ? "t" : "f" }.joined(separator: ",") + "}"
    }
}
