import Testing

@testable import console

@Suite("The console's words and figures")
struct ConsoleTextsTests {
    @Test("Spanish and English have the same keys, none empty")
    func sameKeys() {
        #expect(Set(Texts.es.keys) == Set(Texts.en.keys), "\(Set(Texts.es.keys).symmetricDifference(Texts.en.keys))")
        #expect(!Texts.es.values.contains("") && !Texts.en.values.contains(""))
    }

    @Test("money as people read it, from integer cents", arguments: [
        (Int64(123_456), "1.234,56 €", "€1,234.56"), (0, "0,00 €", "€0.00"), (5, "0,05 €", "€0.05"), (-1_000_000_01, "−1.000.000,01 €", "−€1,000,000.01"),
    ])
    func money(cents: Int64, spanish: String, english: String) {
        #expect(Display.money(cents, .es) == spanish)
        #expect(Display.money(cents, .en) == english)
    }

    @Test("an amount as typed becomes cents, never through floating point", arguments: [
        ("1.234,56", Int64(123_456)), ("1234.56", 123_456), ("12", 1_200), ("12,5", 1_250), ("0,01", 1), ("1,234", 123_400), ("€ 3,00", 300),
    ])
    func typedAmounts(text: String, cents: Int64) {
        #expect(CollectionPages.cents(text) == cents)
    }

    @Test("what is not an amount is refused", arguments: ["", "abc", "-5", "1e3", "１２", "12 34"])
    func notAmounts(text: String) {
        #expect(CollectionPages.cents(text) == nil)
    }
}
