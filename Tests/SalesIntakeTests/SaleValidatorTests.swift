import AMQPClient
import Contracts
import Foundation
import Testing
import TrastiendaTesting

@testable import sales_intake

func delivery(_ message: OutgoingMessage, tag: UInt64 = 1) -> Delivery {
    Delivery(
        deliveryTag: tag, connectionGeneration: 1, exchange: message.exchange, routingKey: message.routingKey, redelivered: false,
        body: message.body, properties: message.properties)
}

@Suite("Validation of pos.sale.v1")
struct SaleValidatorTests {
    let validator = SaleValidator()
    let now = ISO8601Timestamp.parse("2026-11-29T12:00:00Z")!

    @Test("the design's example sale is valid")
    func validSale() throws {
        let result = validator.validate(delivery(SaleFixtures.message(SaleFixtures.validSale())), now: now)
        let sale = try result.get()
        #expect(sale.saleId == SaleFixtures.saleId)
        #expect(sale.sale.total == 1398)
        #expect(sale.traceparent?.hasPrefix("00-") == true)
    }

    @Test("a return naming its sale is valid")
    func validReturn() throws {
        var sale = SaleFixtures.validSale(saleId: UUID().uuidString.lowercased())
        sale["lines"] = [["sku": "CAF-001", "description": "Café", "quantity": -2, "unitPrice": 399, "taxRate": 10, "discount": -98]]
        sale["total"] = -700
        sale["payments"] = [["method": "cash", "amount": -700]]
        sale["returnOf"] = ["saleId": SaleFixtures.saleId]
        #expect(throws: Never.self) { try validator.validate(delivery(SaleFixtures.message(sale)), now: now).get() }
    }

    @Test("each broken rule is refused with its code", arguments: SaleFixtures.invalidMessages().map { ($0.name, $0.code, $0.message) })
    func refused(name: String, code: String, message: OutgoingMessage) {
        switch validator.validate(delivery(message), now: now) {
        case .success: Issue.record("\(name) was accepted")
        case .failure(let violation):
            #expect(violation.code == code, "\(name): \(violation.reason)")
            #expect(!violation.reason.isEmpty)
        }
    }

    @Test("the cases cover at least 30 distinct bad messages and 25 codes")
    func coverage() {
        let cases = SaleFixtures.invalidMessages()
        #expect(cases.count >= 30)
        #expect(Set(cases.map(\.code)).count >= 25)
    }

    @Test("reasons say what is wrong with the numbers")
    func readableReason() throws {
        var sale = SaleFixtures.validSale()
        sale["total"] = 1399
        sale["payments"] = [["method": "card", "amount": 1399]]
        let violation = try #require(validator.validate(delivery(SaleFixtures.message(sale)), now: now).failure)
        #expect(violation.reason == "total 1399 ≠ lines 1398")
    }

    @Test("ISO 8601 timestamps with offsets", arguments: [
        ("2026-11-29T10:15:00+01:00", 1_795_943_700.0), ("2026-11-29T09:15:00Z", 1_795_943_700.0),
        ("2026-11-29T09:15:00.250Z", 1_795_943_700.25), ("2024-02-29T00:00:00-05:30", 1_709_184_600.0),
    ])
    func timestamps(text: String, seconds: Double) {
        #expect(ISO8601Timestamp.parse(text)?.timeIntervalSince1970 == seconds)
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

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

    @Test("numbers too large for Int64 are of the wrong type")
    func overflow() {
        var sale = SaleFixtures.validSale()
        sale["total"] = 1
        let body = Array(String(decoding: SaleFixtures.json(sale), as: UTF8.self)
            .replacingOccurrences(of: #""total":1"#, with: #""total":99999999999999999999"#).utf8)
        #expect((try? SaleJSONParser.parse(body)) == nil)
    }

    @Test("UUIDs are checked by shape", arguments: [
        ("5f0c7a9e-2b7e-4a51-9d0e-0c6f3f1d2a11", true), ("5F0C7A9E-2B7E-4A51-9D0E-0C6F3F1D2A11", true),
        ("5f0c7a9e2b7e4a519d0e0c6f3f1d2a11", false), ("5f0c7a9e-2b7e-4a51-9d0e-0c6f3f1d2a1", false),
        ("5f0c7a9e-2b7e-4a51-9d0e-0c6f3f1d2a1g", false),
    ])
    func uuids(text: String, valid: Bool) {
        #expect(SaleValidator.isUUID(text) == valid)
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
        let result = Result { try SaleJSONParser.parse(body) }
        if !valid { #expect((result.failure as? SaleViolation)?.code == "sale.malformed_json") }
    }
}
