import AMQPClient
import Contracts
import Foundation
import PostgresClient
import Testing
import TrastiendaTesting

/// Partitioned intake: three replicas sharing three partitions, every terminal's sales recorded in receipt order.
@Suite("Partitioned intake", .serialized)
struct PartitionedIntakeTests {
    @Test("with three partitions and three replicas, every terminal's sales are recorded in receipt order, once")
    func receiptOrderPerTerminal() async throws {
        try await ProcessStack.with("intake_partitioned") { stack in
            let ports = (0..<3).map { _ in TestInfrastructure.freePort() }
            let replicas = try ports.enumerated().map { index, port in
                try stack.process(
                    "sales-intake", port: port,
                    [
                        "TRASTIENDA_SALES_INTAKE_PARTITIONS": "3", "TRASTIENDA_SALES_INTAKE_REPLICA": "\(index)/3",
                        "TRASTIENDA_CONSUMER_BATCH_SIZE": "50",
                        // Replicas started side by side on a loaded machine may be seconds apart.
                        "TRASTIENDA_SALES_INTAKE_STANDBY_AFTER": "10",
                    ])
            }
            defer { for replica in replicas { replica.send(SIGTERM) } }
            for port in ports { #expect(await ProcessStack.ready(port)) }
            try await Task.sleep(for: .seconds(11))  // the standbys subscribe after 10 s

            let terminals = (1...10).flatMap { store in (1...3).map { (String(format: "S%03d", store), String(format: "S%03d-T%02d", store, $0)) } }
            var messages: [OutgoingMessage] = []
            for receipt in 1...100 {
                for (store, terminal) in terminals {
                    let sale = POSSaleV1(
                        saleId: UUID().uuidString.lowercased(), storeId: store, terminalId: terminal, receiptNumber: Int64(receipt),
                        occurredAt: SaleFixtures.recentTime, cashierId: "E1", currency: "EUR", customer: nil,
                        lines: [.init(sku: "X", description: "X", quantity: 1, unitPrice: 100 + Int64(receipt), taxRate: 21, discount: 0)],
                        payments: [.init(method: "cash", amount: 100 + Int64(receipt))], total: 100 + Int64(receipt), returnOf: nil)
                    messages.append(
                        OutgoingMessage(
                            exchange: Exchanges.pos.name, routingKey: sale.routingKey, body: Array(try JSONEncoder().encode(sale)),
                            properties: MessageProperties(type: POSSaleV1.messageType, messageId: sale.saleId)))
                }
            }
            let till = AMQPConnection(configuration: stack.amqp.named("test-till"), topology: Topology(exchanges: [Exchanges.pos]), logger: TestInfrastructure.logger)
            for start in stride(from: 0, to: messages.count, by: 300) {  // in receipt order, one channel
                try await till.publish(Array(messages[start..<min(start + 300, messages.count)]))
            }
            await till.close()

            let sales = Database(.init(url: stack.databaseURL, searchPath: "sales", poolSize: 1), logger: TestInfrastructure.logger)
            defer { sales.close() }
            #expect(await eventually(timeout: .seconds(60)) {
                (try? await sales.query("SELECT count(*) FROM sales")[0].decode(Int.self, at: 0)) == 3_000
            })
            let outOfOrder = try await sales.query(
                """
                SELECT count(*) FROM (
                    SELECT receipt_number, lag(receipt_number) OVER (PARTITION BY terminal_id ORDER BY recorded_seq) AS previous FROM sales) s
                WHERE previous IS NOT NULL AND receipt_number <> previous + 1
                """)[0].decode(Int.self, at: 0)
            #expect(outOfOrder == 0, "each terminal's sales recorded 1, 2, 3, … in order")
            // The three replicas shared the partitions: each is the active consumer of one. A replica counts a batch
            // once its announcements are confirmed, a moment after the commit the query above saw.
            var active: [Int] = []
            #expect(try await eventually {
                active = []
                for port in ports {
                    let (_, metrics) = try await ProcessStack.request("GET", port: port, "/stats")
                    let recorded = (try? JSONSerialization.jsonObject(with: Data(metrics.utf8)) as? [String: Any])?["sinceStart"] as? [String: Any]
                    active.append(recorded?["recorded"] as? Int ?? 0)
                }
                return active.reduce(0, +) == 3_000
            }, "recorded by the replicas: \(active)")
            #expect(active.filter { $0 > 0 }.count == 3, "every replica recorded sales: \(active)")
        }
    }
}
