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
}
