import AMQPClient
import Contracts
import Foundation
import SaleValidation
import Testing
import TrastiendaTesting

/// Random sales, mutated in every field a till could get wrong, read by the hand-written parser and validator and
/// by Foundation's `JSONDecoder` with the contract's rules written plainly: the same verdict, and the same values.
@Suite("The sale reader against JSONDecoder")
struct DifferentialTests {
    /// A small, seeded generator, so that a failure can be reproduced from the seed printed with it.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let now = ISO8601Timestamp.parse("2026-11-29T12:00:00Z")!

    /// Odd values of every kind JSON has.
    static func oddValue(_ random: inout Generator) -> Any {
        let texts = ["", "S001", "CAF-001", "Café ☕️", "a\u{0}b", "tab\there", "\u{7F}", "\u{85}", "👩‍👩‍👧", String(repeating: "x", count: 201),
                     "2026-11-29T10:15:00+01:00", "0000-01-01T00:00:00Z", "2026-11-29T10:15:00+15:00", "card", "deferred", "EUR", "B12345678"]
        let numbers: [Int64] = [0, 1, -1, 2, 10, 21, 399, 1398, 10_000, 10_001, 10_000_000, 10_000_001, 9_007_199_254_740_991,
                                9_007_199_254_740_992, Int64.max, -Int64.max]
        switch Int.random(in: 0..<7, using: &random) {
        case 0: return texts.randomElement(using: &random)!
        case 1: return numbers.randomElement(using: &random)!
        case 2: return NSNull()
        case 3: return Bool.random(using: &random)
        case 4: return 1.5
        case 5: return [Any]()
        default: return ["x": 1]
        }
    }

    static func sale(_ random: inout Generator) -> [String: Any] {
        var sale = SaleFixtures.validSale(saleId: UUID().uuidString.lowercased())
        sale["occurredAt"] = "2026-11-29T10:15:00+01:00"
        let topKeys = ["saleId", "storeId", "terminalId", "receiptNumber", "occurredAt", "cashierId", "currency", "customer", "lines",
                       "payments", "total", "returnOf", "extra"]
        for _ in 0..<Int.random(in: 0...3, using: &random) {
            let key = topKeys.randomElement(using: &random)!
            switch Int.random(in: 0..<4, using: &random) {
            case 0: sale[key] = nil
            case 1:
                if var lines = sale["lines"] as? [[String: Any]], !lines.isEmpty {
                    let field = ["sku", "description", "quantity", "unitPrice", "taxRate", "discount"].randomElement(using: &random)!
                    lines[Int.random(in: 0..<lines.count, using: &random)][field] = oddValue(&random)
                    sale["lines"] = lines
                }
            case 2:
                if var customer = sale["customer"] as? [String: Any] {
                    customer[["taxId", "name", "address"].randomElement(using: &random)!] = oddValue(&random)
                    sale["customer"] = customer
                }
            default: sale[key] = oddValue(&random)
            }
        }
        // Often make the money add up again, so that the later rules are reached.
        if Bool.random(using: &random), let lines = sale["lines"] as? [[String: Any]] {
            let total = lines.reduce(Int64(0)) { sum, line in
                guard let quantity = line["quantity"] as? Int64 ?? (line["quantity"] as? Int).map(Int64.init),
                    let price = line["unitPrice"] as? Int64 ?? (line["unitPrice"] as? Int).map(Int64.init),
                    let discount = line["discount"] as? Int64 ?? (line["discount"] as? Int).map(Int64.init)
                else { return sum }
                let (gross, overflow) = quantity.multipliedReportingOverflow(by: price)
                return overflow ? sum : sum &+ gross &- discount
            }
            sale["total"] = total
            sale["payments"] = [["method": "card", "amount": total]]
        }
        return sale
    }

    /// The contract's rules, written plainly over what `JSONDecoder` made (the reference the validator is held to).
    static func referenceAccepts(_ sale: POSSaleV1, body: [UInt8]) -> Bool {
        func identifier(_ text: String) -> Bool {
            (1...48).contains(text.utf8.count) && text.utf8.allSatisfy { $0 < 0x80 && (Character(Unicode.Scalar($0)).isLetter || Character(Unicode.Scalar($0)).isNumber || $0 == 0x2D || $0 == 0x5F) }
        }
        func clean(_ text: String) -> Bool { !text.unicodeScalars.contains(where: SaleContract.isControl) }
        guard body.count <= 65_536, UUID(uuidString: sale.saleId) != nil, identifier(sale.storeId), identifier(sale.terminalId),
            identifier(sale.cashierId), (1...9_007_199_254_740_991).contains(sale.receiptNumber), sale.currency == "EUR",
            let date = ISO8601Timestamp.parse(sale.occurredAt), date.timeIntervalSince(now) <= 300, now.timeIntervalSince(date) <= 31 * 86_400
        else { return false }
        if let customer = sale.customer {
            if let taxId = customer.taxId {
                guard (2...20).contains(taxId.utf8.count), taxId.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }), !(customer.name ?? "").isEmpty
                else { return false }
            }
            for text in [customer.name, customer.address].compactMap({ $0 }) where text.count > 200 || !clean(text) { return false }
        }
        guard (1...500).contains(sale.lines.count) else { return false }
        var sum: Int64 = 0
        for line in sale.lines {
            guard !line.sku.isEmpty, line.sku.count <= 48, !line.description.isEmpty, line.description.count <= 200, clean(line.sku),
                clean(line.description), line.quantity != 0, line.quantity.magnitude <= 10_000, (0...10_000_000).contains(line.unitPrice),
                [21, 10, 4, 0].contains(line.taxRate)
            else { return false }
            let gross = line.quantity * line.unitPrice
            guard line.discount == 0 || (line.discount > 0) == (gross > 0), line.discount.magnitude <= gross.magnitude else { return false }
            sum += gross - line.discount
        }
        guard sum == sale.total, (1...20).contains(sale.payments.count) else { return false }
        var paid: Int64 = 0
        for payment in sale.payments {
            guard ["cash", "card", "voucher", "deferred"].contains(payment.method), payment.amount != 0, (payment.amount > 0) == (sale.total > 0),
                payment.amount.magnitude <= sale.total.magnitude, payment.method != "deferred" || !(sale.customer?.taxId ?? "").isEmpty
            else { return false }
            paid += payment.amount
        }
        guard paid == sale.total else { return false }
        let negative = sale.lines.filter { $0.quantity < 0 }.count
        if negative > 0, negative < sale.lines.count { return false }
        if negative > 0 {
            guard let original = sale.returnOf.flatMap({ UUID(uuidString: $0.saleId) }), original != UUID(uuidString: sale.saleId) else { return false }
        } else if sale.returnOf != nil {
            return false
        }
        return true
    }

    @Test("2,000 mutated sales: the same verdict and the same values as JSONDecoder with the rules written plainly")
    func sameVerdicts() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var random = Generator(state: seed)
        let validator = SaleValidator()
        var accepted = 0
        for _ in 0..<2_000 {
            let object = Self.sale(&random)
            let body = SaleFixtures.json(object)
            let ours = Result { try SaleJSONParser.parse(body) }
            let foundation = Result { try JSONDecoder().decode(POSSaleV1.self, from: Data(body)) }
            switch (ours, foundation) {
            case (.success(let mine), .success(let theirs)):
                #expect(mine == theirs, "seed \(seed): the same values for \(String(decoding: body, as: UTF8.self))")
            case (.failure, .failure): continue
            default:
                Issue.record("seed \(seed): the readers disagree on \(String(decoding: body, as: UTF8.self)): \(ours) against \(foundation)")
                continue
            }
            let message = SaleFixtures.message(object, body: body)
            let delivery = Delivery(
                deliveryTag: 1, connectionGeneration: 1, exchange: "pos", routingKey: message.routingKey, redelivered: false, body: body,
                properties: MessageProperties(type: POSSaleV1.messageType, messageId: object["saleId"] as? String))
            let verdict = validator.validate(delivery, now: Self.now)
            let reference = Self.referenceAccepts(try foundation.get(), body: body)
            if case .success = verdict { accepted += 1 }
            #expect(((try? verdict.get()) != nil) == reference, "seed \(seed): \(verdict) against the reference's \(reference) for \(String(decoding: body, as: UTF8.self))")
        }
        #expect(accepted > 100, "enough of the sales reach the end of the rules")
    }

    @Test("what JSONDecoder cannot judge: a field given twice and a lone surrogate are refused as malformed")
    func beyondJSONDecoder() {
        let body = String(decoding: SaleFixtures.json(SaleFixtures.validSale()), as: UTF8.self)
        for broken in [
            body.replacingOccurrences(of: "\"total\":1398", with: "\"total\":1398,\"total\":1398"),
            body.replacingOccurrences(of: "\"lines\"", with: "\"payments\":[],\"lines\""),
            body.replacingOccurrences(of: "Detergente", with: "Deterg\\ud83dente"),
            body.replacingOccurrences(of: "Detergente", with: "Deterg\\udc00ente"),
            body.replacingOccurrences(of: "Detergente", with: "Deterg\\ud83d\\u0041ente"),
        ] {
            #expect(throws: SaleViolation.self) { try SaleJSONParser.parse(Array(broken.utf8)) }
            #expect((try? SaleJSONParser.parse(Array(broken.utf8)))?.saleId == nil)
        }
    }

    @Test("every input of the fuzz corpus is judged without a trap, and what intake accepts is storable downstream")
    func fuzzCorpus() throws {
        let folder = TestInfrastructure.repositoryRoot.appendingPathComponent("Tests/Fuzz/corpus")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(files.count >= 10)
        let validator = SaleValidator()
        for file in files {
            let body = Array(try Data(contentsOf: folder.appendingPathComponent(file)))
            let sale = try? SaleJSONParser.parse(body)
            let delivery = Delivery(
                deliveryTag: 1, connectionGeneration: 1, exchange: "pos", routingKey: sale?.routingKey ?? "sale.S001.S001-T01",
                redelivered: false, body: body, properties: MessageProperties(type: POSSaleV1.messageType, messageId: sale?.saleId))
            if case .success(let accepted) = validator.validate(delivery, now: Self.now) {
                #expect(SaleContract.storageViolation(of: try SaleJSONParser.parse(accepted.body)) == nil, "\(file)")
            }
            _ = try? SaleJSONParser.parseRecorded(body)
        }
    }
}
