/// W3C trace context (`traceparent: 00-<trace id>-<parent span id>-<flags>`), carried from every message to the
/// messages it causes, so that one sale can be followed from the till to its invoice and its receivable.
public enum TraceContext {
    public static let header = "traceparent"

    /// The trace context of a message, when it has a well-formed one.
    public static func of(_ properties: MessageProperties) -> String? {
        // A message carries a header or two: looking through them costs less than hashing the name.
        let headers = properties.headers
        let value = headers.count <= 4 ? headers.first(where: { $0.key == header })?.value : headers[header]
        return value?.stringValue.flatMap { isValid($0) ? $0 : nil }
    }

    /// The same trace with a new span of our own as parent: what a message caused by `traceparent` carries.
    public static func child(of traceparent: String?) -> String? {
        guard let traceparent, isValid(traceparent) else { return nil }
        var bytes = Array(traceparent.utf8)
        bytes[0] = UInt8(ascii: "0")
        bytes[1] = UInt8(ascii: "0")
        var span = UInt64.random(in: 1...UInt64.max)  // never all zeros, which means "no parent"
        for offset in (36..<52).reversed() {
            let digit = UInt8(truncatingIfNeeded: span & 0xF)
            bytes[offset] = digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10
            span >>= 4
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The trace id (32 hex digits) of `traceparent`.
    public static func traceId(_ traceparent: String) -> String? {
        isValid(traceparent) ? String(traceparent.split(separator: "-")[1]) : nil
    }

    /// `00-` + 32 hex digits (not all zero) + `-` + 16 hex digits + `-` + 2 hex digits, checked byte by byte: every
    /// sale's header goes through here.
    public static func isValid(_ text: String) -> Bool {
        text.withUTF8Bytes { bytes in
            guard bytes.count == 55, bytes[2] == UInt8(ascii: "-"), bytes[35] == UInt8(ascii: "-"), bytes[52] == UInt8(ascii: "-")
            else { return false }
            func allHex(_ range: Range<Int>) -> Bool {
                for offset in range {
                    let byte = bytes[offset]
                    // A digit, or a letter a–f in either case (0x20 is the case bit).
                    guard byte &- 0x30 < 10 || (byte | 0x20) &- 0x61 < 6 else { return false }
                }
                return true
            }
            guard allHex(0..<2), allHex(3..<35), allHex(36..<52), allHex(53..<55) else { return false }
            var traceBits: UInt8 = 0
            for offset in 3..<35 { traceBits |= bytes[offset] ^ 0x30 }
            return traceBits != 0
        }
    }
}

extension MessageProperties {
    /// These properties carrying `traceparent` (left as they are when it is nil).
    public func tracing(_ traceparent: String?) -> MessageProperties {
        guard let traceparent else { return self }
        var properties = self
        properties.headers[TraceContext.header] = .string(traceparent)
        return properties
    }
}
