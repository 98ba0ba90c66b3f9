import Testing

@testable import ServiceRuntime

@Suite("Markup text")
struct MarkupTextTests {
    @Test("the five characters become entities, everything else stays as it is, runs and non-ASCII included")
    func escaping() {
        #expect(MarkupText.escaped(#"Bar "Pepe" & Hijos <S.L.> d'Or"#) == "Bar &quot;Pepe&quot; &amp; Hijos &lt;S.L.&gt; d&apos;Or")
        #expect(MarkupText.escaped("") == "")
        #expect(MarkupText.escaped("Ñandú · 12,35 €") == "Ñandú · 12,35 €")
        #expect(MarkupText.escaped("&&") == "&amp;&amp;")
        var bytes = Array("<a>".utf8)
        MarkupText.append("x<y", escapedTo: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "<a>x&lt;y")
    }
}
