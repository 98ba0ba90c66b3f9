import AMQPClient
import Contracts
import Foundation
import ServiceRuntime
import Testing
import TrastiendaTesting

/// The console as its users use it: the five services and the console as processes on a vhost and database of their
/// own, some data made through the services, then `console_browser.py` drives Chromium through Selenium (sign-in,
/// each role's work, refusals, every page at 1280 and 390 px, screenshots in `.build/console-screenshots`).
@Suite("The console in a real browser", .serialized)
struct ConsoleBrowserTests {
    static let screenshots = TestInfrastructure.repositoryRoot.appendingPathComponent(".build/console-screenshots")

    @Test("admin, store manager, accountant and the others at work; refusals are the services' own; every page at both widths")
    func staffAtWork() async throws {
        try await ProcessStack.with("console") { stack in
            let names = ["sales-intake", "billing", "orders", "collections", "hr"]
            var ports: [String: Int] = [:]
            for name in names + ["console"] { ports[name] = TestInfrastructure.freePort() }
            var environment: [String: String] = [
                "TRASTIENDA_CONSOLE_SIGNING_KEY": TestTokens.privateKey, "TRASTIENDA_CONSOLE_FIRST_ADMIN_PASSWORD": "primera-clave-admin",
                "TRASTIENDA_CONSOLE_BROKER_USER": "trastienda", "TRASTIENDA_CONSOLE_BROKER_PASSWORD": "trastienda",
                "TRASTIENDA_CONSOLE_BROKER_VHOST": stack.amqp.virtualHost,
            ]
            for name in names {
                environment["TRASTIENDA_CONSOLE_\(name.uppercased().replacingOccurrences(of: "-", with: "_"))_URL"] = "http://localhost:\(ports[name]!)"
            }
            let processes = try names.map { try stack.process($0, port: ports[$0]!) } + [try stack.process("console", port: ports["console"]!, environment)]
            defer { for process in processes { process.send(SIGTERM) } }
            for (name, port) in ports {
                let ready = await ProcessStack.ready(port)
                #expect(ready, "\(name) is ready")
                guard ready else { return }
            }
            let facts = try await Self.seed(stack, ports)
            try FileManager.default.createDirectory(at: Self.screenshots, withIntermediateDirectories: true)
            let result = FileManager.default.temporaryDirectory.appendingPathComponent("console-\(UUID().uuidString).json")
            defer { try? FileManager.default.removeItem(at: result) }
            let run = try await ExternalTool.run(
                "env",
                [
                    "CONSOLE_URL=http://localhost:\(ports["console"]!)", "ADMIN_PASSWORD=primera-clave-admin", "DATABASE_URL=\(stack.databaseURL)",
                    "SCREENSHOTS=\(Self.screenshots.path)", "RESULT=\(result.path)",
                    "FACTS=\(String(decoding: try JSONSerialization.data(withJSONObject: facts), as: UTF8.self))",
                    "python3", TestInfrastructure.repositoryRoot.appendingPathComponent("Tests/ConsoleBrowserTests/console_browser.py").path,
                ], missing: "python3 with selenium, chromium and chromium-driver (make test installs them)")
            #expect(run.status == 0, "\(run.output.suffix(4000))")
            // The store manager's refusal on S002 is the service's: the same 403 and words with the console's token for her.
            let seen = (try? JSONSerialization.jsonObject(with: Data(contentsOf: result))) as? [String: Any]
            let refusal = (seen?["seen"] as? [String: Any])?["s002"] as? [String]
            let ana = try await TestTokens.token([.storeManager], stores: ["S001"], subject: "ana")
            let direct = try await ProcessStack.request("GET", port: ports["orders"]!, "/stock?store=S002&limit=100", token: ana)
            #expect(direct.0 == 403)
            let message = ((try? JSONSerialization.jsonObject(with: Data(direct.1.utf8))) as? [String: Any]).flatMap { $0["error"] as? [String: Any] }?["message"] as? String
            #expect(refusal?.first == "403" && refusal?.last == message, "the console showed \(refusal ?? []), orders said \(direct.1)")
            print("console screenshots: \(Self.screenshots.path)")
        }
    }

    /// Data every page can show: an issuer, an employee, stock with a rule and an open replenishment, an order, a sale
    /// with deferred payment (an invoice and a receivable) and a sale intake refuses (a dead letter).
    static func seed(_ stack: ProcessStack, _ ports: [String: Int]) async throws -> [String: String] {
        func call(_ service: String, _ method: String, _ path: String, _ body: String) async throws {
            let answer = try await ProcessStack.request(method, port: ports[service]!, path, body: body)
            #expect(answer.0 < 300, "\(method) \(path): \(answer.1)")
        }
        try await call("billing", "PUT", "/issuers/B12345674", #"{"legalName":"Franquicia Norte SL","address":"C/ Mayor 1, Burgos","stores":["S001","S002"]}"#)
        try await call("hr", "PUT", "/employees/E0042", #"{"name":"Marta Caja","role":"cashier","stores":["S001"],"startDate":"2026-01-01"}"#)
        try await call("orders", "PUT", "/reorder-rules/S001/CAF-001", #"{"minimum":5,"maximum":20}"#)
        try await call("orders", "POST", "/stock/S001/CAF-001/adjustments", #"{"quantity":10,"reason":"recuento inicial"}"#)
        try await call("orders", "POST", "/stock/S001/CAF-001/adjustments", #"{"quantity":-8,"reason":"rotura"}"#)
        try await call("orders", "POST", "/stock/S002/CAF-001/adjustments", #"{"quantity":7,"reason":"recuento inicial"}"#)
        try await call(
            "orders", "POST", "/orders",
            #"{"orderId":"O-1","storeId":"S001","customer":{"name":"Cliente Web"},"lines":[{"sku":"CAF-001","quantity":1}]}"#)
        // A supplier for the open replenishment, drafted into a purchase order; a transfer to ship.
        try await call("orders", "PUT", "/suppliers/SUP-A", #"{"name":"Distribuciones Norte SL"}"#)
        try await call("orders", "PUT", "/suppliers/SUP-A/skus/CAF-001", #"{"supplierCode":"N-CAF","packSize":12,"leadTimeDays":2,"priceCents":250}"#)
        try await call("orders", "POST", "/purchase-orders/drafts?store=S001", "{}")
        try await call("orders", "POST", "/transfers", #"{"fromStore":"S001","toStore":"S002","lines":[{"sku":"CAF-001","quantity":1}]}"#)
        // The till of S001-T01 opened two hours ago, and closed after the sales with the one valid receipt: a Z report.
        let till = AMQPConnection(configuration: stack.amqp.named("test-till"), topology: Topology(exchanges: [Exchanges.pos]), logger: TestInfrastructure.logger)
        let now = Date()
        let iso = ISO8601DateFormatter()
        let session = UUID().uuidString.lowercased()
        try await till.publish([
            SaleFixtures.tillMessage(
                TillOpenedV1(
                    sessionId: session, storeId: "S001", terminalId: "S001-T01", openedAt: iso.string(from: now.addingTimeInterval(-7200)),
                    openingFloat: 15_000, cashierId: "E0042"))
        ])
        var sale = SaleFixtures.validSale(saleId: UUID().uuidString.lowercased())
        sale["payments"] = [["method": "deferred", "amount": 1398]]
        try await till.publish(SaleFixtures.message(sale))
        var odd = SaleFixtures.validSale(saleId: UUID().uuidString.lowercased(), receipt: 1235)
        odd["total"] = 1
        try await till.publish(SaleFixtures.message(odd))
        try await till.publish([
            SaleFixtures.tillMessage(
                TillClosedV1(
                    sessionId: session, storeId: "S001", terminalId: "S001-T01", closedAt: iso.string(from: now), countedCash: 14_500, cardTotal: 0,
                    voucherTotal: 0, receipts: 1))
        ])
        var invoice = ""
        let arrived = await eventually(timeout: .seconds(60)) {
            guard let receivables = try? await ProcessStack.request("GET", port: ports["collections"]!, "/receivables"),
                !(pageItems(receivables.1) ?? []).isEmpty,
                let invoices = try? await ProcessStack.request("GET", port: ports["billing"]!, "/invoices?store=S001"),
                let first = pageItems(invoices.1)?.first
            else { return false }
            invoice = "/invoices/\(first["series"] as? String ?? "")/\(first["sequence"] as? Int ?? 0)"
            return true
        }
        #expect(arrived, "the sale became an invoice and a receivable")
        var tillPage = ""
        #expect(await eventually(timeout: .seconds(60)) {
            guard let sessions = try? await ProcessStack.request("GET", port: ports["collections"]!, "/tills/sessions?status=reported"),
                let first = pageItems(sessions.1)?.first
            else { return false }
            tillPage = "/tills/\(first["id"] as? Int ?? 0)"
            return true
        }, "the till's Z report was issued")
        // A cash sale the till made before its close and sent after the Z report: the report's late line.
        var late = SaleFixtures.validSale(saleId: UUID().uuidString.lowercased(), receipt: 1236)
        late["payments"] = [["method": "cash", "amount": 1398]]
        late["tillSessionId"] = session
        try await till.publish(SaleFixtures.message(late))
        await till.close()
        #expect(await eventually(timeout: .seconds(60)) {
            guard let report = try? await ProcessStack.request("GET", port: ports["collections"]!, "/tills/sessions/\(tillPage.dropFirst(7))/z-report"),
                let object = try? JSONSerialization.jsonObject(with: Data(report.1.utf8)) as? [String: Any]
            else { return false }
            return (object["late"] as? [String: Any])?["cashCents"] as? Int == 1398
        }, "the late cash sale is in the report's late line")
        return ["sku": "CAF-001", "order": "O-1", "customer": "B12345678", "employee": "E0042", "invoice": invoice, "till": tillPage]
    }
}
