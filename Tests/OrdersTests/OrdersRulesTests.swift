import ServiceRuntime
import Testing

@testable import orders

/// Orders' pure rules, without a database: how much a replenishment asks for, whole packs, and which steps an order may take.
@Suite("Orders' rules")
struct OrdersRulesTests {
    @Test("a replenishment brings available stock back to the maximum, rounded up to the multiple; nothing when at or above it", arguments: [
        (Int64(3), Int64(17)), (20, 0), (25, 0), (-5, 25), (19, 1),
    ])
    func replenishment(available: Int64, quantity: Int64) {
        #expect(StockLedger.Rule(minimum: 5, maximum: 20, multiple: 1).replenishment(from: available) == quantity)
    }

    @Test("in multiples: 17 missing in twelves is 24, 24 is 24, 25 is 36")
    func multiples() {
        let rule = StockLedger.Rule(minimum: 10, maximum: 30, multiple: 12)
        #expect(rule.replenishment(from: 13) == 24)
        #expect(rule.replenishment(from: 6) == 24)
        #expect(rule.replenishment(from: 5) == 36)
    }

    @Test("a purchase is rounded up to whole packs", arguments: [(Int64(23), Int64(12), Int64(24)), (24, 12, 24), (1, 6, 6), (13, 6, 18)])
    func packs(quantity: Int64, pack: Int64, packed: Int64) {
        #expect(PurchaseOrders.packed(quantity, pack: pack) == packed)
    }

    @Test("an order's possible steps: forward one at a time, cancelled before it ships, nothing after the end")
    func transitions() {
        typealias Status = CustomerOrders.Status
        #expect(Status.registered.next == [.confirmed, .cancelled])
        #expect(Status.confirmed.next == [.picked, .cancelled])
        #expect(Status.picked.next == [.shipped, .cancelled])
        #expect(Status.shipped.next == [.delivered])
        #expect(Status.delivered.next.isEmpty && Status.cancelled.next.isEmpty)
        for status in Status.allCases { #expect(!status.next.contains(status), "\(status) does not lead to itself") }
    }

    @Test("a transfer goes between two stores, one line per SKU, whole positive quantities")
    func transferChecks() {
        #expect(throws: Never.self) { try Transfers.validate(from: "S001", to: "S002", lines: [.init(sku: "A", quantity: 1)]) }
        #expect(throws: (any Error).self) { try Transfers.validate(from: "S001", to: "S001", lines: [.init(sku: "A", quantity: 1)]) }
        #expect(throws: (any Error).self) { try Transfers.validate(from: "S001", to: "S002", lines: []) }
        #expect(throws: (any Error).self) {
            try Transfers.validate(from: "S001", to: "S002", lines: [.init(sku: "A", quantity: 1), .init(sku: "A", quantity: 2)])
        }
        #expect(throws: (any Error).self) { try Transfers.validate(from: "S001", to: "S002", lines: [.init(sku: "A", quantity: 0)]) }
    }

    @Test("a suppliers' CSV: every line checked before any is taken, the line named when one is wrong")
    func suppliersCSV() throws {
        let offers = try Suppliers.parseCSV("supplier,name,sku,supplier_code,pack_size,lead_time_days,price_cents\nSUP-A,Norte SL,CAF-001,N-1,12,2,250\n")
        #expect(offers == [.init(supplierId: "SUP-A", supplierName: "Norte SL", sku: "CAF-001", supplierCode: "N-1", packSize: 12, leadTimeDays: 2, priceCents: 250)])
        do {
            _ = try Suppliers.parseCSV("supplier,name,sku,supplier_code,pack_size,lead_time_days,price_cents\nSUP-A,N,CAF-001,N-1,12,2,250\nSUP-A,N,X,N-2,0,2,250")
            Issue.record("a pack of 0 is refused")
        } catch {
            #expect(error.message.hasPrefix("line 3:"), "\(error.message)")
        }
    }
}
