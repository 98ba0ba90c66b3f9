/// W3C trace context (`traceparent: 00-<trace id>-<parent span id>-<flags>`), carried from every message to the
/// messages it causes, so that one sale can be followed from the till to its invoice and its receivable.
public enum TraceContext {
    public static let header = "traceparent"

    /// The trace context of a message, when it has a well-formed one.
    public static func of(_ properties: MessageProperties) -> String? {
        properties.headers[header]?.stringValue.flatMap { isValid($0) ? $0 : nil }
    }

    /// The same trace with a new span of our own as parent: what a message caused by `traceparent` carries.
    public static func child(of traceparent: String?) -> String? {
        guard let traceparent, isValid(traceparent) else { return nil }
        let parts = traceparent.split(separator: "-")
        var span = ""
        while span.count < 16 { span += String(UInt64.random(in: 0...UInt64.max), radix: 16) }
        return "00-\(parts[1])-\(span.prefix(16))-\(parts[3])"
    }

    /// The trace id (32 hex digits) of `traceparent`.
    public static func traceId(_ traceparent: String) -> String? {
        isValid(traceparent) ? String(traceparent.split(separator: "-")[1]) : nil
    }

    /// `00-` + 32 hex digits (not all zero) + `-` + 16 hex digits + `-` + 2 hex digits, checked byte by byte: every
    /// sale's header goes through here.
    public static func isValid(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            guard bytes.count == 55 else { return false }
            var allZero = true
            for offset in 0..<55 {
                let byte = bytes[offset]
                switch offset {
                case 2, 35, 52:
                    guard byte == UInt8(ascii: "-") else { return false }
                default:
                    let hex = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66) || (byte >= 0x41 && byte <= 0x46)
                    guard hex else { return false }
                    if offset >= 3, offset < 35, byte != 0x30 { allZero = false }
                }
            }
            return !allZero
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
