import AMQPClient
import ByteText
import Contracts
import Foundation
import SaleValidation
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
    let now = Date()

    @Test("the design's example sale is valid")
    func validSale() throws {
        let result = validator.validate(delivery(SaleFixtures.message(SaleFixtures.validSale())), now: now)
        let sale = try result.get()
        #expect(sale.saleId == SaleFixtures.saleId)
        #expect(sale.total == 1398)
        #expect(sale.traceparent?.hasPrefix("00-") == true)
    }

    @Test("a message id names its sale in either case; another id is refused")
    func messageIds() throws {
        var message = SaleFixtures.message(SaleFixtures.validSale())
        message.properties.messageId = SaleFixtures.saleId.uppercased()
        #expect(try validator.validate(delivery(message), now: now).get().saleId == SaleFixtures.saleId)
        for other in [String(SaleFixtures.saleId.dropLast()) + "0", SaleFixtures.saleId + "0", "nonsense"] where other != SaleFixtures.saleId {
            message.properties.messageId = other
            #expect(validator.validate(delivery(message), now: now).failure?.code == "sale.message_id_mismatch", "\(other)")
        }
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

    @Test("odd but legal sales are valid", arguments: SaleFixtures.oddButLegalSales())
    func oddButLegal(name: String, message: OutgoingMessage) throws {
        let result = validator.validate(delivery(message), now: Date())
        if case .failure(let violation) = result { Issue.record("\(name): \(violation)") }
        let sale = try #require(try? result.get())
        #expect(SaleContract.storageViolation(of: try SaleJSONParser.parse(sale.body)) == nil, "\(name): storable downstream")
    }

    @Test("every refused sale a downstream service could not store is also refused by the downstream check", arguments: [
        "NUL in a sku", "escape character in a description", "DEL in a description", "C1 control in the customer's name",
        "line feed in the customer's address", "year 0000",
    ])
    func downstreamAgrees(name: String) throws {
        let message = try #require(SaleFixtures.invalidMessages().first { $0.name == name }?.message)
        let sale = try SaleJSONParser.parse(message.body)
        #expect(SaleContract.storageViolation(of: sale) != nil, "\(name)")
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

    @Test("of several payments breaking rules, the first in their order is named", arguments: [
        ([("card", 1398), ("cash", 0), ("bitcoin", 5)], "sale.invalid_payment_amount", "payments[1]"),
        ([("bitcoin", 5), ("cash", 0)], "sale.unknown_payment_method", "payments[0]"),
        ([("card", 1000), ("deferred", 398), ("cash", -5)], "sale.deferred_without_customer", "payments[1]"),
        ([("card", 1000), ("cash", 2000), ("deferred", 398)], "sale.invalid_payment_amount", "payments[1]"),
        ([("card", 700), ("voucher", 600)], "sale.payments_mismatch", "payments 1300"),
        ([("card", 1398), ("deferred", 0)], "sale.invalid_payment_amount", "payments[1]"),
    ])
    func firstPaymentRule(payments: [(String, Int)], code: String, reasonStart: String) throws {
        var sale = SaleFixtures.validSale()
        sale["customer"] = NSNull()  // so that a payment on account breaks a rule too
        sale["payments"] = payments.map { ["method": $0.0, "amount": $0.1] }
        let violation = try #require(validator.validate(delivery(SaleFixtures.message(sale)), now: now).failure)
        #expect(violation.code == code, "\(violation.reason)")
        #expect(violation.reason.hasPrefix(reasonStart), "\(violation.reason)")
    }

    @Test("payments split over methods, one on account for a customer with a tax id, are valid")
    func splitPayments() throws {
        var sale = SaleFixtures.validSale()
        sale["payments"] = [["method": "card", "amount": 1000], ["method": "deferred", "amount": 300], ["method": "cash", "amount": 98]]
        #expect(throws: Never.self) { try validator.validate(delivery(SaleFixtures.message(sale)), now: now).get() }
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

@Suite("Sale ids")
struct SaleIdTests {
    @Test("UUIDs are checked by shape", arguments: [
        ("5f0c7a9e-2b7e-4a51-9d0e-0c6f3f1d2a11", true), ("5F0C7A9E-2B7E-4A51-9D0E-0C6F3F1D2A11", true),
        ("5f0c7a9e2b7e4a519d0e0c6f3f1d2a11", false), ("5f0c7a9e-2b7e-4a51-9d0e-0c6f3f1d2a1", false),
        ("5f0c7a9e-2b7e-4a51-9d0e-0c6f3f1d2a1g", false),
    ])
    func uuids(text: String, valid: Bool) {
        #expect(UUIDText.parse(text) == (valid ? UUID(uuidString: text) : nil))
    }

    @Test("UUIDs are written as lower-case text, the same as Foundation's lowered")
    func uuidText() {
        for _ in 0..<100 {
            let uuid = UUID()
            var bytes = Array("x".utf8)
            uuid.appendLowercasedText(to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == "x" + uuid.uuidString.lowercased())
        }
    }

    @Test("the routing key names the sale's store and terminal, exactly")
    func routingKeys() throws {
        let sale = try SaleJSONParser.parse(SaleFixtures.json(SaleFixtures.validSale(store: "S001", terminal: "S001-T01")))
        #expect(SaleValidator.isRoutingKey("sale.S001.S001-T01", of: sale))
        for wrong in ["sale.S001.S001-T02", "sale.S002.S001-T01", "sale.S001.S001-T01.x", "sale.S001-S001-T01", "sales.S001.S001-T0", ""] {
            #expect(!SaleValidator.isRoutingKey(wrong, of: sale), "\(wrong)")
        }
    }
}

@Suite("Announcing a batch")
struct StoreAnnouncementsTests {
    @Test("one sale.recorded.v1 per store, in store order, carrying each sale as sent and its trace context")
    func perStore() throws {
        let validator = SaleValidator()
        let now = Date()
        let stores = ["S002", "S001", "S002"]
        let sales = try stores.enumerated().map { index, store in
            let message = SaleFixtures.message(
                SaleFixtures.validSale(saleId: UUID().uuidString.lowercased(), store: store, terminal: "\(store)-T01", receipt: index + 1))
            return try validator.validate(delivery(message, tag: UInt64(index + 1)), now: now).get()
        }
        var announcements = StoreAnnouncements(sales)
        let messages = announcements.takeMessages(recordedAt: ISO8601Timestamp.parse("2026-11-29T12:00:00Z")!)
        #expect(messages.map(\.routingKey) == ["sale.recorded.S001", "sale.recorded.S002"])
        let second = try SaleJSONParser.parseRecorded(messages[1].body)
        #expect(second.storeId == "S002")
        #expect(second.recordedAt == "2026-11-29T12:00:00.000Z")
        #expect(second.sales == [sales[0], sales[2]].map { try! SaleJSONParser.parse($0.body) })
        #expect(second.traceparents == [sales[0].saleId: sales[0].traceparent!, sales[2].saleId: sales[2].traceparent!])
        let header = try #require(messages[1].properties.headers[TraceContext.header]?.stringValue)
        #expect(TraceContext.traceId(header) == TraceContext.traceId(sales[0].traceparent!))
        #expect(header != sales[0].traceparent)
        #expect(try JSONDecoder().decode(SaleRecordedV1.self, from: Data(messages[0].body)).sales.count == 1)
    }
}

