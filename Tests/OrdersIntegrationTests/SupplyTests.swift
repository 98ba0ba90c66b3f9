import AMQPClient
import Contracts
import Foundation
import Testing
import TrastiendaTesting

@testable import orders

@Suite("Transfers between stores, suppliers and purchase orders")
struct SupplyTests {
    func stock(_ orders: OrdersHarness, _ store: String, _ sku: String) async throws -> (onHand: Int64, inTransit: Int64) {
        let row = try await orders.json("GET", "/stock/\(store)/\(sku)").value as? [String: Any] ?? [:]
        return ((row["onHand"] as? NSNumber)?.int64Value ?? 0, (row["inTransit"] as? NSNumber)?.int64Value ?? 0)
    }

    @Test("10 units from S001 to S002: in transit once shipped, 9 received: S002 +9, an incident of 1, S001 −10; each step announced")
    func transfer() async throws {
        try await OrdersHarness.with { orders in
            #expect(try await orders.json("POST", "/stock/S001/TV-1/adjustments", body: #"{"quantity":30,"reason":"count"}"#).status == 200)
            let created = try await orders.json(
                "POST", "/transfers", body: #"{"fromStore":"S001","toStore":"S002","lines":[{"sku":"TV-1","quantity":10}],"note":"S002 runs short"}"#)
            #expect(created.status == 201)
            let id = try #require(((created.value as? [String: Any])?["id"] as? NSNumber)?.intValue)
            #expect(try await orders.json("POST", "/transfers/\(id)/receive").status == 409, "a draft cannot be received")
            #expect(try await orders.json("POST", "/transfers", body: #"{"fromStore":"S001","toStore":"S001","lines":[{"sku":"TV-1","quantity":1}]}"#).status == 400)

            #expect(try await orders.json("POST", "/transfers/\(id)/ship").status == 200)
            #expect(try await stock(orders, "S001", "TV-1") == (20, 0))
            #expect(try await stock(orders, "S002", "TV-1") == (0, 10), "in transit to S002")
            #expect(try await orders.json("POST", "/transfers/\(id)/ship").status == 409, "shipped once")

            let received = try await orders.json("POST", "/transfers/\(id)/receive", body: #"{"lines":[{"sku":"TV-1","quantity":9}]}"#)
            #expect(received.status == 200)
            #expect((received.value as? [String: Any])?["status"] as? String == "received")
            #expect(try await stock(orders, "S002", "TV-1") == (9, 0))
            #expect(try await stock(orders, "S001", "TV-1") == (20, 0), "S001 −10")

            #expect(await eventually { orders.stockEvents.all.contains { $0.routingKey == "transfer.incident.S002" } })
            let incident = try JSONDecoder().decode(
                TransferEventV1.self, from: Data(try #require(orders.stockEvents.all.first { $0.routingKey == "transfer.incident.S002" }).body))
            #expect(incident.lines == [.init(sku: "TV-1", quantity: 10, received: 9)])
            #expect(orders.stockEvents.all.contains { $0.routingKey == "transfer.shipped.S001" })
            #expect(orders.stockEvents.all.contains { $0.routingKey == "transfer.received.S002" })
            let movements = pageItems(try await orders.json("GET", "/stock/S002/TV-1/movements").value) ?? []
            #expect(movements.first?["kind"] as? String == "transfer_in" && (movements.first?["onHandChange"] as? NSNumber)?.intValue == 9)
        }
    }

    @Test("a reorder rule naming a store with surplus proposes a transfer from it, which closes the replenishment when received")
    func proposedTransfer() async throws {
        try await OrdersHarness.with { orders in
            #expect(try await orders.json("PUT", "/reorder-rules/S002/MUG-1", body: #"{"minimum":5,"maximum":20,"transferFrom":"S001"}"#).status == 200)
            #expect(try await orders.json("PUT", "/reorder-rules/S001/MUG-1", body: #"{"minimum":5,"maximum":20}"#).status == 200)
            #expect(try await orders.json("POST", "/stock/S001/MUG-1/adjustments", body: #"{"quantity":100,"reason":"count"}"#).status == 200)
            #expect(try await orders.json("POST", "/stock/S002/MUG-1/adjustments", body: #"{"quantity":6,"reason":"count"}"#).status == 200)
            try await orders.announce([sale(store: "S002", lines: [("MUG-1", 3)])])
            var transfer: [String: Any] = [:]
            #expect(await eventually {
                transfer = (pageItems(try? await orders.json("GET", "/transfers?store=S002").value) ?? []).first ?? [:]
                return !transfer.isEmpty
            })
            #expect(transfer["fromStore"] as? String == "S001" && transfer["status"] as? String == "draft")
            let replenishment = (pageItems(try await orders.json("GET", "/replenishments?store=S002").value) ?? []).first ?? [:]
            #expect(replenishment["source"] as? String == "transfer" && (replenishment["quantity"] as? NSNumber)?.intValue == 17)
            let id = (transfer["id"] as? NSNumber)?.intValue ?? 0
            #expect(try await orders.json("POST", "/transfers/\(id)/ship").status == 200)
            #expect(try await orders.json("POST", "/transfers/\(id)/receive").status == 200)
            #expect((pageItems(try await orders.json("GET", "/replenishments?store=S002").value) ?? []).isEmpty, "closed by the transfer")
            #expect(try await stock(orders, "S002", "MUG-1") == (20, 0))
        }
    }

    @Test("two SKUs' replenishments of one supplier become one purchase order; two deliveries close both and move the stock in; a shortfall leaves one open")
    func purchaseOrder() async throws {
        try await OrdersHarness.with { orders in
            let csv = """
                supplier,name,sku,supplier_code,pack_size,lead_time_days,price_cents
                SUP-A,Distribuciones Norte SL,CAF-001,N-CAF,12,2,250
                SUP-A,Distribuciones Norte SL,LEC-002,N-LEC,6,1,60
                SUP-B,Lácteos del Sur SA,LEC-002,S-LEC,6,3,75
                """
            #expect(try await orders.service.request("POST", "/suppliers/import", body: csv).status == 200)
            #expect(try await orders.service.request("POST", "/suppliers/import", body: "supplier,name\nX,Y").status == 400)
            for sku in ["CAF-001", "LEC-002"] {
                #expect(try await orders.json("PUT", "/reorder-rules/S001/\(sku)", body: #"{"minimum":10,"maximum":30}"#).status == 200)
                #expect(try await orders.json("POST", "/stock/S001/\(sku)/adjustments", body: #"{"quantity":12,"reason":"count"}"#).status == 200)
            }
            try await orders.announce([sale(lines: [("CAF-001", 5), ("LEC-002", 4)])])  // 7 and 8 left: under 10
            #expect(await eventually { (pageItems(try? await orders.json("GET", "/replenishments?store=S001").value) ?? []).count == 2 })

            let drafted = try await orders.json("POST", "/purchase-orders/drafts?store=S001")
            #expect(drafted.status == 201)
            let drafts = (drafted.value as? [String: Any])?["items"] as? [[String: Any]] ?? []
            #expect(drafts.count == 1, "one supplier sells both cheapest")
            let order = try #require(drafts.first)
            #expect(order["supplierId"] as? String == "SUP-A")
            let lines = order["lines"] as? [[String: Any]] ?? []
            let quantities: [String] = lines.map { "\($0["sku"] as? String ?? "") \(($0["quantity"] as? NSNumber)?.intValue ?? 0)" }
            #expect(quantities == ["CAF-001 24", "LEC-002 24"], "23 and 22 rounded up to packs of 12 and 6")
            #expect(try await orders.json("POST", "/purchase-orders/drafts?store=S001").status == 200, "nothing left to group")
            let id = (order["id"] as? NSNumber)?.intValue ?? 0
            #expect(try await orders.json("POST", "/purchase-orders/\(id)/deliveries", body: #"{"lines":[{"sku":"CAF-001","quantity":24}]}"#).status == 409,
                "a draft receives nothing")
            #expect(try await orders.json("POST", "/purchase-orders/\(id)/confirm").status == 200)
            #expect(await eventually { orders.stockEvents.all.contains { $0.routingKey == "purchase_order.issued.SUP-A" } })
            let issued = try JSONDecoder().decode(
                PurchaseOrderIssuedV1.self, from: Data(try #require(orders.stockEvents.all.first { $0.routingKey == "purchase_order.issued.SUP-A" }).body))
            #expect(issued.lines.map(\.supplierCode) == ["N-CAF", "N-LEC"] && issued.lines.map(\.packs) == [2, 4] && issued.totalCents == 24 * 250 + 24 * 60)

            let first = try await orders.json("POST", "/purchase-orders/\(id)/deliveries", body: #"{"lines":[{"sku":"CAF-001","quantity":24}],"note":"albarán 1"}"#)
            #expect(first.status == 201 && (first.value as? [String: Any])?["status"] as? String == "partially_received")
            let open = pageItems(try await orders.json("GET", "/replenishments?store=S001").value) ?? []
            #expect(open.map { $0["sku"] as? String } == ["LEC-002"], "CAF-001 closed, LEC-002 still open")
            let second = try await orders.json("POST", "/purchase-orders/\(id)/deliveries", body: #"{"lines":[{"sku":"LEC-002","quantity":24}]}"#)
            #expect((second.value as? [String: Any])?["status"] as? String == "received")
            #expect((pageItems(try await orders.json("GET", "/replenishments?store=S001").value) ?? []).isEmpty, "both closed")
            #expect(try await stock(orders, "S001", "CAF-001").onHand == 7 + 24)
            #expect(try await stock(orders, "S001", "LEC-002").onHand == 8 + 24)

            // Again, short: 10 of LEC-002's 24 arrive; its replenishment stays open, and closing the order puts 13 back to order.
            try await orders.announce([sale(lines: [("CAF-001", 25), ("LEC-002", 25)])])
            #expect(await eventually { (pageItems(try? await orders.json("GET", "/replenishments?store=S001").value) ?? []).count == 2 })
            let again = ((try await orders.json("POST", "/purchase-orders/drafts?store=S001").value as? [String: Any])?["items"] as? [[String: Any]])?.first
            let againId = (again?["id"] as? NSNumber)?.intValue ?? 0
            #expect(try await orders.json("POST", "/purchase-orders/\(againId)/confirm").status == 200)
            let short = try await orders.json(
                "POST", "/purchase-orders/\(againId)/deliveries", body: #"{"lines":[{"sku":"CAF-001","quantity":24},{"sku":"LEC-002","quantity":10}]}"#)
            #expect((short.value as? [String: Any])?["status"] as? String == "partially_received")
            let left = pageItems(try await orders.json("GET", "/replenishments?store=S001").value) ?? []
            #expect(left.map { $0["sku"] as? String } == ["LEC-002"], "the shortfall stays open")
            #expect(try await orders.json("POST", "/purchase-orders/\(againId)/close").status == 200)
            let reordered = ((try await orders.json("POST", "/purchase-orders/drafts?store=S001").value as? [String: Any])?["items"] as? [[String: Any]])?.first
            #expect(((reordered?["lines"] as? [[String: Any]])?.first?["quantity"] as? NSNumber)?.intValue == 18, "13 missing, in packs of 6")
        }
    }
}
