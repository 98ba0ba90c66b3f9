import AMQPClient
import Testing

@Suite("W3C trace context")
struct TraceContextTests {
    let traced = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    @Test("well-formed contexts pass; malformed ones do not", arguments: [
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", true),
        ("00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01", true),
        ("00-00000000000000000000000000000000-00f067aa0ba902b7-01", false),
        ("00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", false),
        ("00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", false),
        ("00-4bf92f3577b34da6a3ce929d0e0e47zz-00f067aa0ba902b7-01", false),
        ("", false),
    ])
    func validity(text: String, valid: Bool) {
        #expect(TraceContext.isValid(text) == valid)
    }

    @Test("every byte of a context is checked: any other byte, at any position, makes it malformed")
    func everyByte() {
        let valid = Array(traced.utf8)
        let hexPositions = (0..<55).filter { ![2, 35, 52].contains($0) }
        for position in 0..<55 {
            for byte in [0x00, 0x2F, 0x3A, 0x40, 0x47, 0x60, 0x67, 0x7F, 0x80, 0xFF, 0x20, 0x2D, 0x30, 0x39, 0x41, 0x46, 0x61, 0x66] as [UInt8] {
                var bytes = valid
                bytes[position] = byte
                let isHexDigit = (0x30...0x39).contains(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
                let expected = hexPositions.contains(position) ? isHexDigit : byte == 0x2D
                #expect(TraceContext.isValid(String(decoding: bytes, as: UTF8.self)) == expected, "byte \(byte) at \(position)")
            }
        }
    }

    @Test("a message's trace context is found among few headers or many, and only when well-formed")
    func ofMessage() {
        var few = MessageProperties(headers: ["x-retries": .int(1), TraceContext.header: .string(traced)])
        #expect(TraceContext.of(few) == traced)
        var many = few
        for index in 0..<8 { many.headers["x-extra-\(index)"] = .string("\(index)") }
        #expect(TraceContext.of(many) == traced)
        few.headers[TraceContext.header] = .string("nonsense")
        many.headers[TraceContext.header] = .int(7)
        #expect(TraceContext.of(few) == nil && TraceContext.of(many) == nil)
        #expect(TraceContext.of(MessageProperties()) == nil)
    }

    @Test("a child keeps the trace id and the flags, with a new span of its own")
    func child() throws {
        let child = try #require(TraceContext.child(of: traced))
        #expect(TraceContext.isValid(child))
        #expect(TraceContext.traceId(child) == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(child.hasSuffix("-01") && child != traced)
        #expect(TraceContext.child(of: nil) == nil && TraceContext.child(of: "nonsense") == nil)
    }

    @Test("a batch's children each get a span id of their own, from one draw of the system's source")
    func batchOfChildren() throws {
        var spans = SpanIds()
        var seen = Set<String>()
        for _ in 0..<10_000 {
            let child = try #require(TraceContext.child(of: traced, using: &spans))
            #expect(TraceContext.isValid(child) && child.hasPrefix("00-4bf92f3577b34da6a3ce929d0e0e4736-") && child.hasSuffix("-01"))
            seen.insert(String(child.dropFirst(36).prefix(16)))
        }
        #expect(seen.count == 10_000 && !seen.contains("0000000000000000"))
        // Two batches draw apart: their first children differ.
        var other = SpanIds()
        #expect(TraceContext.child(of: traced, using: &spans) != TraceContext.child(of: traced, using: &other))
        // A version other than 00 is written as 00 (the version this code writes).
        #expect(TraceContext.child(of: "01" + traced.dropFirst(2), using: &spans)?.hasPrefix("00-") == true)
    }
}
