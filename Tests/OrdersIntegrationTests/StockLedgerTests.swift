import AMQPClient
import Contracts
import Foundation
import Testing
import TrastiendaTesting

@testable import orders

@Suite("Orders keeps the stock ledger from recorded sales")
struct StockLedgerTests {
    @Test("10,000 sales, some announced twice, leave every store's stock at its start minus sales plus returns")
    func stockFollowsSales() async throws {
        try await OrdersHarness.with { orders in
            let stores = ["S001", "S002", "S003"]
            let skus = (1...12).map { "SKU-\($0)" }
            // A starting level for some SKUs, by adjustment.
            var expected: [String: Int64] = [:]
            for store in stores {
                let response = try await orders.json("POST", "/stock/\(store)/SKU-1/adjustments", body: #"{"quantity":500,"reason":"count"}"#)
                #expect(response.status == 200)
                expected["\(store)/SKU-1"] = 500
            }
            var generator = SystemRandomNumberGenerator()
            var sales: [POSSaleV1] = []
            for index in 0..<10_000 {
                let store = stores[index % stores.count]
                if index % 20 == 19, let original = sales.last(where: { $0.storeId == store && $0.returnOf == nil }) {
                    sales.append(sale(store: store, lines: original.lines.map { ($0.sku, -$0.quantity) }, returnOf: original.saleId))
                } else {
                    let count = Int.random(in: 1...3, using: &generator)
                    sales.append(sale(store: store, lines: (0..<count).map { _ in (skus.randomElement(using: &generator)!, Int64.random(in: 1...4, using: &generator)) }))
                }
            }
            for sale in sales {
                for line in sale.lines { expected["\(sale.storeId)/\(line.sku)", default: 0] -= line.quantity }
            }
            for chunk in stride(from: 0, to: sales.count, by: 150) {
                try await orders.announce(Array(sales[chunk..<min(chunk + 150, sales.count)]))
            }
            // Redelivered: every tenth chunk announced again, and some single sales again.
            for chunk in stride(from: 0, to: sales.count, by: 1_500) {
                try await orders.announce(Array(sales[chunk..<min(chunk + 150, sales.count)]))
            }
            try await orders.announce(stride(from: 7, to: sales.count, by: 97).map { sales[$0] })

            func levels() async throws -> [String: Int64] {
                var levels: [String: Int64] = [:]
                for store in stores {
                    let (_, value) = try await orders.json("GET", "/stock?store=\(store)")
                    for row in pageItems(value) ?? [] {
                        levels["\(store)/\(row["sku"] as! String)"] = (row["available"] as? NSNumber)?.int64Value
                    }
                }
                return levels
            }
            #expect(await eventually(timeout: .seconds(60)) { (try? await levels()) == expected })
            let final = try await levels()
            #expect(final == expected)
            let movements = try await orders.json("GET", "/stock/S001/SKU-1/movements?limit=1000")
            let kinds = Set((pageItems(movements.value) ?? []).compactMap { $0["kind"] as? String })
            #expect(kinds.isSuperset(of: ["adjustment", "sale", "return"]), "\(kinds)")
        }
    }

    @Test("a run of sales across the minimum raises exactly one replenishment for what brings it back to the maximum")
    func replenishment() async throws {
        try await OrdersHarness.with { orders in
            #expect(try await orders.json("PUT", "/reorder-rules/S001/CAF-001", body: #"{"minimum":10,"maximum":50,"multiple":6}"#).status == 200)
            #expect(try await orders.json("POST", "/stock/S001/CAF-001/adjustments", body: #"{"quantity":20,"reason":"opening"}"#).status == 200)
            // 20 → 17 → 14 → 11 → 8 (crossing: 50 − 8 = 42, a multiple of 6) → 5 → 2.
            for step in 1...6 {
                try await orders.announce([sale(lines: [("CAF-001", 3)])])
                let level = Int64(20 - 3 * step)
                #expect(await eventually { (try? await orders.available("S001", "CAF-001")) == level })
            }
            #expect(await eventually { orders.stockEvents.all.contains { $0.routingKey == "replenishment.requested.S001" } })
            try await Task.sleep(for: .milliseconds(300))
            let requested = orders.stockEvents.all.filter { $0.routingKey == "replenishment.requested.S001" }
            #expect(requested.count == 1)
            let request = try JSONDecoder().decode(ReplenishmentRequestedV1.self, from: Data(requested[0].body))
            #expect(request.quantity == 42 && request.sku == "CAF-001")
            #expect(orders.stockEvents.all.filter { $0.routingKey == "stock.low.S001" }.count == 1)
            let open = try await orders.json("GET", "/replenishments?status=open&store=S001")
            #expect(pageItems(open.value)?.count == 1)

            // Receiving it closes it and moves the stock in; a second receipt is refused.
            let receive = try await orders.json("POST", "/replenishments/\(request.replenishmentId)/receive", body: "{}")
            #expect(receive.status == 200)
            #expect(try await orders.available("S001", "CAF-001") == 2 + 42)
            #expect(try await orders.json("POST", "/replenishments/\(request.replenishmentId)/receive", body: "{}").status == 409)
            #expect(pageItems((try await orders.json("GET", "/replenishments?status=open")).value)?.isEmpty == true)

            // Going under zero is allowed, flagged and published.
            try await orders.announce([sale(lines: [("CAF-001", 50)])])
            #expect(await eventually { orders.stockEvents.all.contains { $0.routingKey == "stock.negative.S001" } })
            let row = try await orders.json("GET", "/stock/S001/CAF-001")
            #expect((row.value as? [String: Any])?["negative"] as? Bool == true)
        }
    }

    @Test("bad reorder rules and adjustments get a 400 with a message; a CSV imports all its rules or none")
    func rulesAndBadRequests() async throws {
        try await OrdersHarness.with { orders in
            let bad = try await orders.service.request("PUT", "/reorder-rules/S001/X", body: #"{"minimum":10,"maximum":5}"#)
            #expect(bad.status == 400 && bad.body.contains("minimum"))
            #expect(try await orders.service.request("POST", "/stock/S001/X/adjustments", body: #"{"quantity":0,"reason":"x"}"#).status == 400)
            #expect(try await orders.service.request("GET", "/stock").status == 400)
            let csv = "store,sku,minimum,maximum,multiple\nS001,A-1,5,20,1\nS002,B-2,0,12,12\n"
            #expect(try await orders.service.request("POST", "/reorder-rules/import", body: csv).body == #"{"imported":2}"#)
            let broken = try await orders.service.request("POST", "/reorder-rules/import", body: "store,sku,minimum,maximum,multiple\nS003,C,1,9,1\nS003,D,x,9,1\n")
            #expect(broken.status == 400 && broken.body.contains("line 3"))
            let rules = try await orders.json("GET", "/reorder-rules")
            #expect(pageItems(rules.value)?.count == 2, "the broken CSV stored nothing")
        }
    }
}
