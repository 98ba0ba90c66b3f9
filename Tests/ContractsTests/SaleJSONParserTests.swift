import Contracts
import Foundation
import Testing
import TrastiendaTesting

@Suite("The pos.sale.v1 parser")
struct SaleJSONParserTests {
    @Test("it reads what JSONDecoder reads, escapes and unknown fields included")
    func sameAsFoundation() throws {
        var sale = SaleFixtures.validSale()
        sale["extra"] = ["nested": [1, 2.5, true, NSNull(), "x"]]
        var lines = sale["lines"] as! [[String: Any]]
        lines[0]["description"] = "Café \"molido\" \\ 250 g\n\t😀 /"
        sale["lines"] = lines
        let body = SaleFixtures.json(sale)
        #expect(try SaleJSONParser.parse(body) == JSONDecoder().decode(POSSaleV1.self, from: Data(body)))
        let escaped = Array(#"{"saleId":"a","storeId":"\u0053\u0030","terminalId":"t","receiptNumber":1,"occurredAt":"d","cashierId":"c","currency":"EUR","lines":[],"payments":[],"total":0,"note":"\ud83d\ude00"}"#.utf8)
        #expect(try SaleJSONParser.parse(escaped).storeId == "S0")
    }

    @Test("text in a field it skips is checked as strictly as text it reads: bad escapes, control characters, bad UTF-8")
    func skippedTextChecked() throws {
        let valid = SaleFixtures.json(SaleFixtures.validSale())
        func with(_ extra: [UInt8]) -> [UInt8] { Array(#"{"extra":"#.utf8) + extra + [UInt8(ascii: ",")] + valid.dropFirst() }
        #expect(try SaleJSONParser.parse(with(Array(#""plain \u00e9 \"q\" \\ é""#.utf8))) == SaleJSONParser.parse(valid))
        for bad in [Array(#""\x""#.utf8), Array(#""\u12""#.utf8), Array(#""\ud800""#.utf8), [0x22, 0x41, 0x09, 0x22], [0x22, 0xC3, 0x28, 0x22]] {
            #expect(throws: (any Error).self, "\(bad)") { try SaleJSONParser.parse(with(bad)) }
            #expect(throws: (any Error).self, "in an invoice batch: \(bad)") {
                try InvoicesIssuedV1.parse(Array(#"{"storeId":"S001","documents":[{"note":"#.utf8) + bad + Array("}]}".utf8))
            }
        }
    }

    @Test("read part by part, a sale hands over the same lines and payments, escapes resolved, and comes back without them")
    func partByPart() throws {
        var sale = SaleFixtures.validSale()
        var lines = sale["lines"] as! [[String: Any]]
        lines[0]["description"] = "Café \"molido\" 😀"
        lines.append(lines[0])
        lines[1]["sku"] = "SKU-2"
        sale["lines"] = lines
        let body = SaleFixtures.json(sale)
        var seen = SeenParts()
        let parsed = try SaleJSONParser.parse(body, visitor: &seen)
        let whole = try SaleJSONParser.parse(body)
        #expect(seen.lines == whole.lines)
        #expect(seen.payments == whole.payments && !seen.payments.isEmpty)
        #expect(seen.lines[0].description == "Café \"molido\" 😀")
        #expect(seen.fits == [true, false])  // 15 characters, 19 bytes (with escaped quotes)
        #expect(parsed.lines.isEmpty && parsed.payments.isEmpty)
        #expect(parsed.saleId == whole.saleId && parsed.total == whole.total)
    }

    private struct SeenParts: SaleVisitor {
        var lines: [POSSaleV1.Line] = []
        var payments: [POSSaleV1.Payment] = []
        var fits: [Bool] = []

        mutating func visit(_ line: LineView, at index: Int) {
            #expect(index == lines.count)
            lines.append(
                POSSaleV1.Line(
                    sku: line.sku.string, description: line.description.string, quantity: line.quantity, unitPrice: line.unitPrice,
                    taxRate: line.taxRate, discount: line.discount))
            if index == 0 { fits = [line.description.fits(15), line.description.fits(14)] }
        }

        mutating func visit(_ payment: PaymentView, at index: Int) {
            #expect(index == payments.count)
            payments.append(POSSaleV1.Payment(method: payment.method.string, amount: payment.amount))
            #expect(payment.method.isEqual(to: payments[index].method) && !payment.method.isEqual(to: "nonsense"))
        }
    }

    @Test("broken JSON is malformed, whatever breaks it", arguments: [
        #"{"saleId":"a""#, #"{"saleId":"a"} x"#, #"{"saleId" "a"}"#, #"{"saleId":"a",}"#, "{\"saleId\":\"a\u{01}\"}",
        #"{"saleId":"\x"}"#, #"{"total":-}"#, #"{"total":nul}"#,
    ])
    func malformed(text: String) {
        #expect(throws: SaleViolation("sale.malformed_json", "")) {
            do { _ = try SaleJSONParser.parse(Array(text.utf8)) } catch let violation as SaleViolation {
                throw SaleViolation(violation.code, "")
            }
        }
    }

    @Test("text is scanned eight bytes at a time: an escape, a non-ASCII or control byte is found wherever it falls")
    func everyPosition() throws {
        let marker = "MARKER"
        var sale = SaleFixtures.validSale()
        sale["cashierId"] = marker
        let template = String(decoding: SaleFixtures.json(sale), as: UTF8.self)
        func body(_ text: [UInt8]) -> [UInt8] {
            let parts = template.components(separatedBy: marker)
            return Array(parts[0].utf8) + text + Array(parts[1].utf8)
        }
        for position in 0..<20 {
            let before = Array(String(repeating: "a", count: position).utf8)
            let after = Array(String(repeating: "b", count: 19 - position).utf8)
            for (written, read) in [(#"\""#, "\""), (#"\\"#, "\\"), ("é", "é"), (#"\u00e9"#, "é"), ("😀", "😀")] {
                let parsed = try SaleJSONParser.parse(body(before + Array(written.utf8) + after))
                #expect(parsed.cashierId == String(decoding: before, as: UTF8.self) + read + String(decoding: after, as: UTF8.self))
            }
            for broken: [UInt8] in [[0x01], [0x1F], [0xFF], [0xC3]] {
                #expect(throws: SaleViolation.self, "byte \(broken) at \(position)") { try SaleJSONParser.parse(body(before + broken + after)) }
            }
        }
    }

    @Test("numbers too large for Int64 are of the wrong type")
    func overflow() {
        var sale = SaleFixtures.validSale()
        sale["total"] = 1
        let body = Array(String(decoding: SaleFixtures.json(sale), as: UTF8.self)
            .replacingOccurrences(of: #""total":1"#, with: #""total":99999999999999999999"#).utf8)
        #expect((try? SaleJSONParser.parse(body)) == nil)
    }

    @Test("sale.recorded.v1 is read with its sales, as JSONDecoder reads it")
    func recorded() throws {
        let sale = SaleFixtures.json(SaleFixtures.validSale())
        let body = Array(#"{"storeId":"S001","recordedAt":"2026-11-29T09:15:01Z","sales":["#.utf8) + sale + [UInt8(ascii: ",")] + sale
            + Array("]}".utf8)
        let recorded = try SaleJSONParser.parseRecorded(body)
        #expect(recorded == (try JSONDecoder().decode(SaleRecordedV1.self, from: Data(body))))
        #expect(recorded.sales.count == 2)
        #expect(throws: SaleViolation.self) { try SaleJSONParser.parseRecorded(Array(#"{"storeId":"S001","sales":[]}"#.utf8)) }
    }
}

@Suite("UTF-8 checking")
struct UTF8Tests {
    @Test("well-formed and broken UTF-8", arguments: [
        ([0x43, 0x61, 0x66, 0xC3, 0xA9], true), ([0xF0, 0x9F, 0x98, 0x80], true), ([0xE2, 0x82, 0xAC], true),
        ([0xFF], false), ([0xC3], false), ([0xC0, 0xAF], false), ([0xED, 0xA0, 0x80], false), ([0xF4, 0x90, 0x80, 0x80], false),
        ([0xE2, 0x28, 0xA1], false),
    ] as [([UInt8], Bool)])
    func utf8(bytes: [UInt8], valid: Bool) {
        #expect(bytes.withUnsafeBufferPointer { SaleJSONParser.isValidUTF8($0) } == valid)
        let body = Array(#"{"saleId":""#.utf8) + bytes + Array(#""}"#.utf8)
        let result = Result { () throws(SaleViolation) in try SaleJSONParser.parse(body) }
        if !valid {
            guard case .failure(let violation) = result else { Issue.record("broken UTF-8 was accepted"); return }
            #expect(violation.code == "sale.malformed_json")
        }
    }
}
