import AMQPClient
import Contracts
import Foundation
import PostgresClient
import ServiceLifecycle
import Synchronization
import Testing
import TrastiendaTesting

/// The five services as processes, as `make run` runs them, fed odd sales among good ones as buggy till firmware
/// would send them.
@Suite("Odd sales through all five services", .serialized)
struct OddSalesPipelineTests {
    /// The refusals a downstream service could not have stored (or would have read otherwise), by case name.
    static let refusedKinds = [
        "NUL in a sku", "escape character in a description", "DEL in a description", "C1 control in the customer's name",
        "line feed in the customer's address", "year 0000", "forty days ago", "offset beyond +14:00", "a lone high surrogate",
        "a lone low surrogate", "total given twice", "saleId given twice", "absurd quantity", "date next year",
    ]

    @Test("each odd sale among 60 good ones: the good all recorded, invoiced, moved and credited; the odd refused with its code or handled everywhere; no downstream dead letter; all five ready throughout")
    func oddSalesAmongGoodOnes() async throws {
        try await ProcessStack.with("odd_sales") { stack in
            let names = ["sales-intake", "billing", "orders", "collections", "hr"]
            let ports = names.map { _ in TestInfrastructure.freePort() }
            let services = try zip(names, ports).map { try stack.process($0, port: $1) }
            defer { for service in services { service.send(SIGTERM) } }
            for port in ports { #expect(await ProcessStack.ready(port)) }
            let issuer = #"{"legalName":"Norte SL","address":"Burgos","stores":["S001","S002"]}"#
            #expect(try await ProcessStack.request("PUT", port: ports[1], "/issuers/89890001K", body: issuer).0 == 200)

            let invalid = SaleFixtures.invalidMessages()
            let refused = try Self.refusedKinds.map { name in
                try #require(invalid.first { $0.name == name }, "a case named \(name)")
            }
            let legal = SaleFixtures.oddButLegalSales() + SaleFixtures.oddButLegalSales(store: "S002", terminal: "S002-T01").prefix(2)
            #expect(refused.count + legal.count >= 12)
            #expect(legal.count >= 4)

            // Each odd sale in the middle of 60 good ones of the same stores and terminals.
            let terminals = [("S001", "S001-T01"), ("S001", "S001-T02"), ("S002", "S002-T01")]
            var receipt = 0
            var good: [String] = []
            var messages: [OutgoingMessage] = []
            let odd: [(name: String, message: OutgoingMessage)] = refused.map { ($0.name, $0.message) } + legal
            for kind in odd {
                for index in 0..<60 {
                    receipt += 1
                    let (store, terminal) = terminals[index % terminals.count]
                    var sale = SaleFixtures.validSale(saleId: UUID().uuidString.lowercased(), store: store, terminal: terminal, receipt: receipt)
                    if index % 7 == 0 {  // some on account, so that collections has its part
                        sale["payments"] = [["method": "deferred", "amount": 1398]]
                    }
                    good.append(sale["saleId"] as! String)
                    messages.append(SaleFixtures.message(sale))
                    if index == 30 { messages.append(kind.message) }
                }
            }
            let legalIds = legal.compactMap(\.message.properties.messageId)

            let readiness = ReadinessWatch(ports: ports)
            let till = AMQPConnection(configuration: stack.amqp.named("test-till"), topology: Topology(exchanges: [Exchanges.pos]), logger: TestInfrastructure.logger)
            let intakeDeadLetters = Seen()
            try await running([
                collector(stack.amqp, queue: Topology.deadLetterQueueName(for: Queues.intakePOSSales), into: intakeDeadLetters), readiness,
            ]) {
                try await till.publish(messages)
                await till.close()

                let everyone = Set(good + legalIds)
                func handled(_ schema: String, _ sql: String) async -> Set<String> {
                    let database = Database(.init(url: stack.databaseURL, searchPath: schema, poolSize: 1), logger: TestInfrastructure.logger)
                    defer { database.close() }
                    return Set((try? await database.query(sql).map { try $0.decode(String.self, at: 0) }) ?? [])
                }
                let checks = [
                    ("recorded", "sales", "SELECT sale_id::text FROM sales"), ("invoiced", "billing", "SELECT sale_id::text FROM invoices"),
                    ("moved", "orders", "SELECT sale_id::text FROM sales_moved"), ("credited", "hr", "SELECT sale_id::text FROM sales_credited"),
                ]
                for (what, schema, sql) in checks {
                    let done = await eventually(timeout: .seconds(120), interval: .milliseconds(500)) { await handled(schema, sql).isSuperset(of: everyone) }
                    let missing = everyone.subtracting(await handled(schema, sql))
                    #expect(done, "\(missing.count) sales not \(what), among them the odd ones: \(odd.filter { missing.contains($0.message.properties.messageId ?? "") }.map(\.name))")
                }
                let deferredGood = good.count / 60 * 9  // index % 7 == 0 among 0..<60: 9 per group
                let receivables = Database(.init(url: stack.databaseURL, searchPath: "collections", poolSize: 1), logger: TestInfrastructure.logger)
                defer { receivables.close() }
                #expect(await eventually(timeout: .seconds(60)) {
                    (try? await receivables.query("SELECT count(*) FROM receivables")[0].decode(Int64.self, at: 0)) == Int64(deferredGood)
                }, "a receivable for every sale on account")

                #expect(await eventually { intakeDeadLetters.count == refused.count })
                for kind in refused {
                    let parked = intakeDeadLetters.all.first { $0.properties.messageId == kind.message.properties.messageId }
                    #expect(parked?.properties.headers[Rejection.codeHeader] == .string(kind.code), "\(kind.name) refused as \(kind.code)")
                }
                try await Task.sleep(for: .seconds(2))  // room for anything late to be parked downstream
                for queue in [Queues.billingSaleRecorded, Queues.ordersSaleRecorded, Queues.hrSaleRecorded, Queues.collectionsInvoiceIssued] {
                    let parked = try await TestInfrastructure.messageCount(queue: Topology.deadLetterQueueName(for: queue), virtualHost: stack.amqp.virtualHost)
                    #expect(parked == 0, "\(queue) parked \(parked)")
                }
            }
            #expect(readiness.failures.isEmpty, "not ready at times: \(readiness.failures.prefix(5))")
            for (name, service) in zip(names, services) { #expect(service.isRunning, "\(name) still running") }
        }
    }
}

/// Asks every service for `/health/ready` every 200 ms while it runs, and keeps what did not answer 200.
final class ReadinessWatch: Service, Sendable {
    let ports: [Int]
    private let seen = Mutex<[String]>([])

    init(ports: [Int]) { self.ports = ports }

    var failures: [String] { seen.withLock { $0 } }

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            for port in ports {
                let status = (try? await ProcessStack.request("GET", port: port, "/health/ready"))?.0 ?? 0
                if status != 200 { seen.withLock { $0.append("port \(port): \(status)") } }
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(200)) }
        }
    }
}
