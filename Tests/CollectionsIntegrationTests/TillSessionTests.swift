import AMQPClient
import Contracts
import Foundation
import PostgresClient
import Testing
import TrastiendaTesting

/// A till's session from pos-sim through intake, billing and collections (as processes, on one vhost and one
/// database): the Z report against what the sales and billing's invoices say, to the cent.
@Suite("Till sessions and their Z reports", .serialized)
struct TillSessionTests {
    @Test("300 pos-sim sales, the close right after the last: the Z report's methods are the sales', its rates billing's invoices', 5.00 € short is −500; two sales after the Z report are its late line and nowhere else; a second close changes nothing")
    func zReport() async throws {
        try await ProcessStack.with("tills") { stack in
            let ports = (intake: TestInfrastructure.freePort(), billing: TestInfrastructure.freePort(), collections: TestInfrastructure.freePort())
            let services = [
                try stack.process("sales-intake", port: ports.intake, ["TRASTIENDA_LOG_LEVEL": "warning"]),
                try stack.process("billing", port: ports.billing, ["TRASTIENDA_LOG_LEVEL": "warning"]),
                // Only the receipts the till declared may issue the report: not a settle time running out.
                try stack.process("collections", port: ports.collections, ["TRASTIENDA_COLLECTIONS_TILL_SETTLE_SECONDS": "3600", "TRASTIENDA_LOG_LEVEL": "warning"]),
            ]
            defer { for service in services { service.send(SIGTERM) } }
            for port in [ports.intake, ports.billing, ports.collections] { #expect(await ProcessStack.ready(port)) }
            #expect(try await ProcessStack.request("PUT", port: ports.billing, "/issuers/89890001K", body: #"{"legalName":"Norte SL","address":"Burgos","stores":["S001"]}"#).0 == 200)

            let watch = Topology(
                exchanges: [Exchanges.pos, Exchanges.collectionsEvents],
                queues: [.init(name: "test.sales"), .init(name: "test.tills"), .init(name: "test.reconciled")],
                bindings: [
                    .init(queue: "test.sales", exchange: Exchanges.pos.name, routingKey: RoutingKeys.allSales),
                    .init(queue: "test.tills", exchange: Exchanges.pos.name, routingKey: RoutingKeys.allTillEvents),
                    .init(queue: "test.reconciled", exchange: Exchanges.collectionsEvents.name, routingKey: "till.reconciled.#"),
                ])
            let terminal = AMQPConnection(configuration: stack.amqp.named("test-till"), topology: watch, logger: TestInfrastructure.logger)
            try await terminal.declare(watch)
            let (sold, tillEvents, reconciled) = (Seen(), Seen(), Seen())
            try await running([
                collector(stack.amqp, queue: "test.sales", topology: watch, into: sold),
                collector(stack.amqp, queue: "test.tills", topology: watch, into: tillEvents),
                collector(stack.amqp, queue: "test.reconciled", topology: watch, into: reconciled),
            ]) {
                let posSim = try ServiceProcess(
                    "pos-sim",
                    arguments: [
                        "--url", stack.amqpURL, "--stores", "1", "--terminals", "1", "--sales", "300", "--tills", "--till-short-share", "1",
                        "--till-short-cents", "500", "--seed", "20", "--quiet",
                    ])
                #expect(await eventually(timeout: .seconds(60)) { !posSim.isRunning })
                #expect(posSim.exitCode == 0, "\(posSim.output)")
                #expect(await eventually(timeout: .seconds(120)) { reconciled.count == 1 }, "the Z report was issued")

                let sales = try sold.all.map { try JSONDecoder().decode(POSSaleV1.self, from: Data($0.body)) }
                #expect(sales.count == 300)
                var paid: [String: Int64] = [:]
                for payment in sales.flatMap(\.payments) { paid[payment.method, default: 0] += payment.amount }
                #expect(sales.contains { $0.tillSessionId == nil } && sales.contains { $0.tillSessionId != nil }, "both ways of naming the session")

                let sessions = try Self.items(try await ProcessStack.request("GET", port: ports.collections, "/tills/sessions?store=S001"))
                #expect(sessions.count == 1)
                let session = try #require(sessions.first)
                #expect(session["status"] as? String == "reported")
                let id = try #require(session["id"] as? Int)
                let (status, body) = try await ProcessStack.request("GET", port: ports.collections, "/tills/sessions/\(id)/z-report")
                #expect(status == 200, "\(body)")
                let answer = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
                let report = try #require(answer["zReport"] as? [String: Any])
                let methods = Dictionary(uniqueKeysWithValues: (report["methods"] as? [[String: Any]] ?? []).map { ($0["method"] as? String ?? "", $0) })
                let expectedCash = 15_000 + paid["cash", default: 0] + 5_000 - 2_000
                #expect(methods["cash"]?["expectedCents"] as? Int64 == expectedCash)
                #expect(methods["cash"]?["countedCents"] as? Int64 == expectedCash - 500)
                #expect(methods["cash"]?["differenceCents"] as? Int == -500)
                #expect(methods["card"]?["expectedCents"] as? Int64 == paid["card", default: 0])
                #expect(methods["card"]?["differenceCents"] as? Int == 0)
                #expect(methods["voucher"]?["expectedCents"] as? Int64 == paid["voucher", default: 0])
                #expect(methods["voucher"]?["differenceCents"] as? Int == 0)
                #expect(report["differenceCents"] as? Int == -500)
                #expect(report["onAccountCents"] as? Int64 == paid["deferred", default: 0])
                let counts = (report["sales"] as? [String: Any], report["returns"] as? [String: Any])
                #expect((counts.0?["count"] as? Int ?? 0) + (counts.1?["count"] as? Int ?? 0) == 300)
                #expect((counts.0?["totalCents"] as? Int64 ?? 0) + (counts.1?["totalCents"] as? Int64 ?? 0) == sales.reduce(0) { $0 + $1.total })
                #expect(report["firstReceipt"] as? Int64 == sales.map(\.receiptNumber).min())
                #expect(report["lastReceipt"] as? Int64 == sales.map(\.receiptNumber).max())
                #expect((report["invoiceNumbers"] as? [String])?.count == 300)
                let late = answer["late"] as? [String: Any]
                #expect(late?["count"] as? Int == 0, "no late line")

                // Per rate, the sums of the invoices as billing issued them.
                let billing = Database(.init(url: stack.databaseURL, searchPath: "billing", poolSize: 1), logger: TestInfrastructure.logger)
                defer { billing.close() }
                var rates: [Int64: (base: Int64, tax: Int64)] = [:]
                var numbers: [String] = []
                for row in try await billing.query("SELECT document FROM invoices WHERE store_id = 'S001'") {
                    let document = try JSONDecoder().decode(InvoiceIssuedV1.self, from: Data(try row.decode(String.self, at: 0).utf8))
                    numbers.append(document.number)
                    for tax in document.taxes {
                        rates[tax.rate, default: (0, 0)].base += tax.baseCents
                        rates[tax.rate, default: (0, 0)].tax += tax.taxCents
                    }
                }
                #expect(Set(numbers) == Set(report["invoiceNumbers"] as? [String] ?? []))
                let taxes = report["taxes"] as? [[String: Any]] ?? []
                #expect(taxes.count == rates.count)
                for tax in taxes {
                    let rate = tax["rate"] as? Int64 ?? -1
                    #expect(tax["baseCents"] as? Int64 == rates[rate]?.base, "base at \(rate) %")
                    #expect(tax["taxCents"] as? Int64 == rates[rate]?.tax, "tax at \(rate) %")
                }

                // Two sales made before the close, sent after the Z report: its late line, and no other session's.
                let closedAt = try #require(session["closedAt"] as? String)
                let sessionId = try #require(session["sessionId"] as? String)
                let lastReceipt = sales.map(\.receiptNumber).max() ?? 0
                let offline = (1...2).map { index in
                    POSSaleV1(
                        saleId: UUID().uuidString.lowercased(), storeId: "S001", terminalId: "S001-T01", receiptNumber: lastReceipt + Int64(index),
                        occurredAt: closedAt, cashierId: "C-S001-T01", currency: "EUR", customer: nil,
                        lines: [.init(sku: "CAF-001", description: "Café molido 250 g", quantity: 1, unitPrice: 399, taxRate: 10, discount: 0)],
                        payments: [.init(method: "cash", amount: 399)], total: 399, returnOf: nil, tillSessionId: index == 1 ? sessionId : nil)
                }
                try await terminal.publish(
                    try offline.map {
                        OutgoingMessage(
                            exchange: Exchanges.pos.name, routingKey: $0.routingKey, body: Array(try JSONEncoder().encode($0)),
                            properties: MessageProperties(type: POSSaleV1.messageType, messageId: $0.saleId))
                    })
                var after: [String: Any] = [:]
                #expect(await eventually(timeout: .seconds(60)) {
                    guard let (status, body) = try? await ProcessStack.request("GET", port: ports.collections, "/tills/sessions/\(id)/z-report"), status == 200,
                        let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
                    else { return false }
                    after = object
                    return (object["late"] as? [String: Any])?["count"] as? Int == 2
                })
                let refused = try? await TestInfrastructure.messageCount(queue: "sales-intake.pos-sales.dead-letter", virtualHost: stack.amqp.virtualHost)
                #expect((after["late"] as? [String: Any])?["totalCents"] as? Int == 798, "refused by intake: \(refused ?? -1); \(services.map(\.output).joined(separator: "\n").suffix(3000))")
                #expect((after["late"] as? [String: Any])?["cashCents"] as? Int == 798, "both paid in cash")
                let reportCashDifference = (report["methods"] as? [[String: Any]] ?? []).first { $0["method"] as? String == "cash" }?["differenceCents"] as? Int
                #expect(
                    (after["late"] as? [String: Any])?["cashDifferenceCents"] as? Int == (try #require(reportCashDifference)) - 798,
                    "the cash difference once the late sales' cash is counted")
                #expect(NSDictionary(dictionary: after["zReport"] as? [String: Any] ?? [:]).isEqual(to: report), "the report as issued is unchanged")
                let collections = Database(.init(url: stack.databaseURL, searchPath: "collections", poolSize: 1), logger: TestInfrastructure.logger)
                defer { collections.close() }
                let placed = try await collections.query(
                    "SELECT count(*) FILTER (WHERE session IS NULL), count(*) FILTER (WHERE late), count(DISTINCT session) FROM till_documents")[0]
                #expect(try placed.decode(Int64.self, at: 0) == 0 && placed.decode(Int64.self, at: 1) == 2 && placed.decode(Int64.self, at: 2) == 1)

                // The till's close again, as it was: nothing changes; with other amounts: dead-lettered, nothing changes.
                let close = try #require(tillEvents.all.first { $0.routingKey.hasPrefix("till.closed.") })
                var changed = try JSONDecoder().decode(TillClosedV1.self, from: Data(close.body))
                changed.countedCash += 1
                try await terminal.publish([
                    OutgoingMessage(exchange: Exchanges.pos.name, routingKey: close.routingKey, body: close.body, properties: close.properties),
                    OutgoingMessage(
                        exchange: Exchanges.pos.name, routingKey: close.routingKey, body: Array(try JSONEncoder().encode(changed)),
                        properties: MessageProperties(type: TillClosedV1.messageType, messageId: "changed-close")),
                ])
                #expect(await eventually {
                    (try? await TestInfrastructure.messageCount(queue: "collections.pos-tills.dead-letter", virtualHost: stack.amqp.virtualHost)) == 1
                })
                try await Task.sleep(for: .milliseconds(500))
                #expect(reconciled.count == 1, "no second Z report")
                let (_, again) = try await ProcessStack.request("GET", port: ports.collections, "/tills/sessions/\(id)/z-report")
                let againReport = (try JSONSerialization.jsonObject(with: Data(again.utf8)) as? [String: Any])?["zReport"] as? [String: Any] ?? [:]
                #expect(NSDictionary(dictionary: againReport).isEqual(to: report))

                // The store's day sums its tills; the printable page is there.
                let date = try #require(session["businessDate"] as? String)
                let (dayStatus, day) = try await ProcessStack.request("GET", port: ports.collections, "/tills/day?store=S001&date=\(date)")
                #expect(dayStatus == 200, "\(day)")
                let dayObject = try #require(try JSONSerialization.jsonObject(with: Data(day.utf8)) as? [String: Any])
                #expect(dayObject["differenceCents"] as? Int == -500)
                #expect((dayObject["late"] as? [String: Any])?["count"] as? Int == 2)
                let (pageStatus, page) = try await ProcessStack.request("GET", port: ports.collections, "/tills/sessions/\(id)/z-report.html")
                #expect(pageStatus == 200 && page.contains("Informe Z nº 1") && page.contains("-5,00 €"), "\(page.prefix(300))")
                let withLate = Money.euros(Int64(try #require(reportCashDifference)) - 798)
                #expect(page.contains("En efectivo 7,98 € · diferencia de caja contándolas \(withLate)"), "\(page.suffix(600))")
            }
            await terminal.close()
        }
    }

    static func items(_ response: (Int, String)) throws -> [[String: Any]] {
        let object = try JSONSerialization.jsonObject(with: Data(response.1.utf8)) as? [String: Any]
        return object?["items"] as? [[String: Any]] ?? []
    }
}
