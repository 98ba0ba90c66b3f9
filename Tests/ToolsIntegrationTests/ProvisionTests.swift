import BrokerAdmin
import AMQPClient
import Contracts
import Foundation
import Logging
import PostgresClient
import Testing
import TrastiendaTesting

@testable import trastienda

/// `trastienda provision` against a real broker and database.
@Suite("Least privilege: broker users and database roles")
struct ProvisionTests {
    let api = ManagementAPI(base: "http://localhost:15672", vhost: "/", user: "trastienda", password: "trastienda")

    func sale(store: String, terminal: String, userId: String?) -> OutgoingMessage {
        let sale = POSSaleV1(
            saleId: UUID().uuidString.lowercased(), storeId: store, terminalId: terminal, receiptNumber: 1,
            occurredAt: SaleFixtures.recentTime, cashierId: "E1", currency: "EUR", customer: nil,
            lines: [.init(sku: "X", description: "X", quantity: 1, unitPrice: 100, taxRate: 21, discount: 0)],
            payments: [.init(method: "cash", amount: 100)], total: 100, returnOf: nil)
        return OutgoingMessage(
            exchange: Exchanges.pos.name, routingKey: sale.routingKey, body: Array(try! JSONEncoder().encode(sale)),
            properties: MessageProperties(type: POSSaleV1.messageType, messageId: sale.saleId, userId: userId))
    }

    @Test("a terminal may publish its own sales and till events, and is refused as another terminal or on another store's routing key")
    func terminalsSpeakOnlyForThemselves() async throws {
        try await TestInfrastructure.withVirtualHost { configuration in
            var api = self.api
            api.vhost = configuration.virtualHost
            let admin = AMQPConnection(configuration: configuration.named("test-admin"), topology: Topology(exchanges: [Exchanges.pos]), logger: TestInfrastructure.logger)
            try await admin.declare(Topology(exchanges: [Exchanges.pos], queues: [.init(name: "test.sales")], bindings: [.init(queue: "test.sales", exchange: "pos", routingKey: "#")]))
            await admin.close()
            try await Provisioning.broker(
                api, services: AccessPlan.services, password: { _ in "trastienda" },
                terminals: [("S001", "S001-T01"), ("S002", "S002-T01")], terminalPassword: "till")
            var till = configuration
            till.user = AccessPlan.terminalUser("S001-T01")
            till.password = "till"
            /// Whether the broker confirms `message` within `limit` (a refused one never is: the channel is closed).
            func publish(_ message: OutgoingMessage, within limit: Duration = .seconds(5)) async -> Bool {
                let connection = AMQPConnection(configuration: till.named("till"), logger: TestInfrastructure.logger)
                let published: Bool
                do {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { try await connection.publish(message) }
                        group.addTask {
                            try await Task.sleep(for: limit)
                            throw CancellationError()
                        }
                        try await group.next()
                        group.cancelAll()
                    }
                    published = true
                } catch {
                    published = false
                }
                await connection.close()
                return published
            }
            // Generous for the one that must pass: the whole suite starts at once, and a cold machine is slow to connect.
            #expect(await publish(sale(store: "S001", terminal: "S001-T01", userId: "till-S001-T01"), within: .seconds(60)), "its own sale")
            #expect(!(await publish(sale(store: "S002", terminal: "S002-T01", userId: "till-S001-T01"))), "another store's routing key")
            #expect(!(await publish(sale(store: "S001", terminal: "S001-T01", userId: "till-S002-T01"))), "as another terminal")
            // Its till's events, on its own keys only.
            let close = OutgoingMessage(
                exchange: Exchanges.pos.name, routingKey: "till.closed.S001.S001-T01", body: Array(#"{"sessionId":"Z1"}"#.utf8),
                properties: MessageProperties(type: TillClosedV1.messageType, userId: "till-S001-T01"))
            #expect(await publish(close, within: .seconds(60)), "its own till's close")
            var other = close
            other.routingKey = "till.opened.S002.S002-T01"
            #expect(!(await publish(other)), "another terminal's till")
            let queues = try await api.queues()
            #expect(queues.first { $0.name == "test.sales" } != nil)
        }
    }

    @Test("each service's role owns its schema only: another service's schema is refused")
    func rolesStayInTheirSchemas() async throws {
        let url = try await TestInfrastructure.makeDatabaseURL("provision")
        let admin = Database(.init(url: url, poolSize: 1), logger: TestInfrastructure.logger)
        do {
            try await Provisioning.database(admin, services: AccessPlan.services, password: { _ in "trastienda" })
            var components = URLComponents(string: url)!
            components.user = "trastienda_billing"
            components.password = "trastienda"
            let billing = Database(.init(url: components.string!, searchPath: "billing", poolSize: 1), logger: TestInfrastructure.logger)
            try await billing.query("CREATE TABLE probe (n integer)")
            try await billing.query("INSERT INTO probe VALUES (1)")
            components.user = "trastienda_hr"
            let hr = Database(.init(url: components.string!, searchPath: "hr", poolSize: 1), logger: TestInfrastructure.logger)
            try await hr.query("CREATE TABLE employees_probe (name text)")
            do {
                _ = try await billing.query("SELECT * FROM hr.employees_probe")
                Issue.record("billing's role read hr")
            } catch {
                #expect("\(error)".contains("permission denied"), "\(error)")
            }
            do {
                _ = try await hr.query("SELECT * FROM billing.probe")
                Issue.record("hr's role read billing")
            } catch {
                #expect("\(error)".contains("permission denied"), "\(error)")
            }
            billing.close()
            hr.close()
        } catch {
            admin.close()
            await TestInfrastructure.dropDatabase(url: url)
            throw error
        }
        admin.close()
        await TestInfrastructure.dropDatabase(url: url)
    }

    @Test("a password and a schema name with quotes, backslashes and spaces are provisioned as they are, and a service connects with them")
    func oddNamesAndPasswords() async throws {
        let url = try await TestInfrastructure.makeDatabaseURL("provision_odd")
        let admin = Database(.init(url: url, poolSize: 1), logger: TestInfrastructure.logger)
        let odd = AccessPlan.ServiceAccess(name: "odd", schema: #"odd "sch'ema\ x"#, consumes: [], bindsFrom: [], publishesTo: [])
        let password = #"it's a "pass\word"; DROP ROLE postgres; --"#
        do {
            try await Provisioning.database(admin, services: [odd], password: { _ in password })
            var components = URLComponents(string: url)!
            components.user = odd.databaseRole
            components.password = password
            let service = Database(.init(url: components.string!, searchPath: odd.schema, poolSize: 1), logger: TestInfrastructure.logger)
            try await service.query("CREATE TABLE probe (n integer)")
            try await service.query("INSERT INTO probe VALUES (7)")
            let owner: String = try await admin.query(
                "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = $1", [odd.schema])[0].decode(at: 0)
            #expect(owner == PostgresIdentifier.quote(odd.databaseRole), "\(owner)")
            service.close()
        } catch {
            Issue.record("\(error)")
        }
        _ = try? await admin.withConnection { connection in
            let drop: String = try connection.query("SELECT format('DROP OWNED BY %1$I; DROP ROLE %1$I', $1::text)", [odd.databaseRole])[0].decode(at: 0)
            try connection.execute(script: drop)
        }
        admin.close()
        await TestInfrastructure.dropDatabase(url: url)
    }
}
