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

    public static func isValid(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0].count == 2, parts[1].count == 32, parts[2].count == 16, parts[3].count == 2 else { return false }
        return parts.allSatisfy { $0.allSatisfy(\.isHexDigit) } && parts[1] != String(repeating: "0", count: 32)
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
