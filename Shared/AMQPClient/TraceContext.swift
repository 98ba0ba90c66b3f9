import ByteText

/// W3C trace context (`traceparent: 00-<trace id>-<parent span id>-<flags>`), carried from every message to the
/// messages it causes, so that one sale can be followed from the till to its invoice and its receivable.
package enum TraceContext {
    package static let header = "traceparent"

    /// The trace context of a message, when it has a well-formed one.
    package static func of(_ properties: MessageProperties) -> String? {
        // A message carries a header or two: looking through them costs less than hashing the name.
        let headers = properties.headers
        let value = headers.count <= 4 ? headers.first(where: { $0.key == header })?.value : headers[header]
        return value?.stringValue.flatMap { isValid($0) ? $0 : nil }
    }

    /// The same trace with a new span of our own as parent: what a message caused by `traceparent` carries.
    package static func child(of traceparent: String?) -> String? {
        guard traceparent != nil else { return nil }
        return child(of: traceparent, span: UInt64.random(in: 1...UInt64.max))  // never all zeros, which means "no parent"
    }

    /// The same, with the new span's id from `spans` (for a batch of messages: no system call each).
    package static func child(of traceparent: String?, using spans: inout SpanIds) -> String? {
        child(of: traceparent, span: spans.nextSpan())
    }

    private static func child(of traceparent: String?, span: UInt64) -> String? {
        guard let traceparent, isValid(traceparent) else { return nil }
        // Written straight into the new text (valid, so 55 bytes of ASCII): one allocation.
        return traceparent.withUTF8Bytes { parent in
            String(unsafeUninitializedCapacity: 55) { text in
                _ = text.initialize(from: parent)
                text[0] = UInt8(ascii: "0")
                text[1] = UInt8(ascii: "0")
                HexDigits.write(span, count: 16, to: text, at: 36)
                return 55
            }
        }
    }

    /// The trace id (32 hex digits) of `traceparent`.
    package static func traceId(_ traceparent: String) -> String? {
        isValid(traceparent) ? String(traceparent.split(separator: "-")[1]) : nil
    }

    /// `00-` + 32 hex digits (not all zero) + `-` + 16 hex digits + `-` + 2 hex digits, checked eight bytes at a time:
    /// every sale's header goes through here.
    package static func isValid(_ text: String) -> Bool {
        text.withUTF8Bytes { bytes in
            func isHex(_ offset: Int) -> Bool { HexDigits.nibble(bytes[offset]) < 16 }
            guard bytes.count == 55, bytes[2] == UInt8(ascii: "-"), bytes[35] == UInt8(ascii: "-"), bytes[52] == UInt8(ascii: "-"),
                isHex(0), isHex(1), isHex(53), isHex(54)
            else { return false }
            let base = UnsafeRawPointer(bytes.baseAddress!)
            func word(_ offset: Int) -> UInt64 { UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
            // The trace id at 3..<35, the parent id at 36..<52: six words of hex digits.
            let trace = (word(3), word(11), word(19), word(27))
            guard HexDigits.allHex(trace.0), HexDigits.allHex(trace.1), HexDigits.allHex(trace.2), HexDigits.allHex(trace.3),
                HexDigits.allHex(word(36)), HexDigits.allHex(word(44))
            else { return false }
            // All zeros ('0' is 0x30 in every byte) means no trace.
            let zeros: UInt64 = 0x3030_3030_3030_3030
            return (trace.0 ^ zeros) | (trace.1 ^ zeros) | (trace.2 ^ zeros) | (trace.3 ^ zeros) != 0
        }
    }
}

extension MessageProperties {
    /// These properties carrying `traceparent` (left as they are when it is nil).
    package func tracing(_ traceparent: String?) -> MessageProperties {
        guard let traceparent else { return self }
        var properties = self
        properties.headers[TraceContext.header] = .string(traceparent)
        return properties
    }
}
