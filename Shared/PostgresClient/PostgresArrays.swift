import ByteText

/// Array parameters in PostgreSQL's text form (`{"a","b"}`), for statements that take a whole batch at once
/// through `unnest($1::text[], …)` or `= ANY($1::uuid[])`.
package enum PostgresArrays {
    /// A `text[]` (or `uuid[]`) holding `values` in their order, each quoted. Written as bytes: batches pass
    /// thousands of ids at once.
    package static func text(_ values: [String]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.reduce(2) { $0 + $1.utf8.count + 3 })
        bytes.append(UInt8(ascii: "{"))
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(UInt8(ascii: "\""))
            value.withUTF8Bytes { utf8 in
                for byte in utf8 {
                    if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")) }
                    bytes.append(byte)
                }
            }
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
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
