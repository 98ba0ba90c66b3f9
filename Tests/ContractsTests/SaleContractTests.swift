import Contracts
import Testing

@Suite("What no service stores")
struct SaleContractTests {
    /// The control characters as the contract defines them, read scalar by scalar.
    func reference(_ text: String) -> Unicode.Scalar? { text.unicodeScalars.first(where: SaleContract.isControl) }

    @Test("the byte scan finds the control character the scalars hold, and only that", arguments: [
        "", "plain", "tab\there", "nul\u{0}", "del\u{7F}", "c1\u{85}x", "nbsp\u{A0}", "é", "\u{80}", "\u{9F}", "€uro",
        "🙂\u{1F}", "Ā\u{85}", "ñ\u{7F}\u{0}",
    ])
    func byteScan(text: String) {
        #expect(SaleContract.controlCharacter(in: text) == reference(text))
    }

    @Test("every scalar up to U+0800, between multi-byte neighbours, is found or not as the contract says")
    func everyScalarOfOneAndTwoBytes() throws {
        for value in UInt32(0)..<0x800 {
            let scalar = try #require(Unicode.Scalar(value))
            let text = "ñ" + String(Character(scalar)) + "€"
            #expect(SaleContract.controlCharacter(in: text) == reference(text), "U+\(String(value, radix: 16))")
        }
    }
}
