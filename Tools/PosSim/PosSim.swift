import AMQPClient
import ArgumentParser
import Contracts
import Foundation
import Logging

/// A fleet of simulated POS terminals publishing `pos.sale.v1` sales with confirms: demo data and load.
@main
struct PosSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pos-sim", abstract: "Simulated POS terminals publishing sales to Trastienda.")

    @Option(help: "Broker URL.") var url = ProcessInfo.processInfo.environment["TRASTIENDA_AMQP_URL"] ?? "amqp://trastienda:trastienda@localhost:5672/"
    @Option(help: "Number of stores.") var stores = 5
    @Option(help: "Terminals per store.") var terminals = 3
    @Option(help: "Sales to publish in all.") var sales = 1000
    @Option(help: "Sales per second across the fleet; 0 publishes as fast as the broker confirms.") var rate = 0
    @Option(help: "Sales per publish call.") var batch = 200
    @Option(help: "Seed for the random sales, so that a run can be repeated.") var seed: UInt64 = 42

    func run() async throws {
        var logger = Logger(label: "pos-sim")
        logger.logLevel = .warning
        let connection = AMQPConnection(
            configuration: try AMQPConfiguration(url: url, connectionName: "pos-sim"),
            topology: Topology(exchanges: [Exchanges.pos]), logger: logger)
        var generator = SaleGenerator(stores: stores, terminalsPerStore: terminals, seed: seed)
        let encoder = JSONEncoder()
        let started = ContinuousClock.now
        var published = 0
        while published < sales {
            let count = min(batch, sales - published)
            let messages = try (0..<count).map { _ in
                let sale = generator.next()
                return OutgoingMessage(
                    exchange: Exchanges.pos.name, routingKey: sale.routingKey, body: Array(try encoder.encode(sale)),
                    properties: MessageProperties(
                        type: POSSaleV1.messageType, messageId: sale.saleId, timestamp: Int64(Date().timeIntervalSince1970)))
            }
            try await connection.publish(messages)
            published += count
            if rate > 0 {
                let due = started + .milliseconds(published * 1000 / rate)
                if due > .now { try await Task.sleep(until: due) }
            }
        }
        let elapsed = ContinuousClock.now - started
        let seconds = max(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, 1e-9)
        print("published and confirmed \(published) sales in \(String(format: "%.2f", seconds)) s (\(Int(Double(published) / seconds)) sales/s)")
        await connection.close()
    }
}

/// Plausible sales from a seeded generator: a few lines each, mixed tax rates, card or cash.
struct SaleGenerator {
    let stores: Int
    let terminalsPerStore: Int
    private var random: SplitMix64
    private var receipts: [String: Int64] = [:]

    private static let catalogue: [(sku: String, description: String, price: Int64, rate: Int64)] = [
        ("CAF-001", "Café molido 250 g", 399, 10), ("LEC-002", "Leche entera 1 l", 95, 4), ("PAN-003", "Pan de molde", 149, 4),
        ("ACE-004", "Aceite de oliva 1 l", 899, 10), ("DET-005", "Detergente 3 l", 650, 21), ("BAT-006", "Pilas AA x4", 475, 21),
    ]

    init(stores: Int, terminalsPerStore: Int, seed: UInt64) {
        self.stores = max(1, stores)
        self.terminalsPerStore = max(1, terminalsPerStore)
        random = SplitMix64(seed: seed)
    }

    mutating func next() -> POSSaleV1 {
        let store = String(format: "S%03d", Int(random.next() % UInt64(stores)) + 1)
        let terminal = "\(store)-T" + String(format: "%02d", Int(random.next() % UInt64(terminalsPerStore)) + 1)
        let receipt = (receipts[terminal] ?? 0) + 1
        receipts[terminal] = receipt
        let lines = (0..<Int(random.next() % 4) + 1).map { _ -> POSSaleV1.Line in
            let item = Self.catalogue[Int(random.next() % UInt64(Self.catalogue.count))]
            return .init(
                sku: item.sku, description: item.description, quantity: Int64(random.next() % 3) + 1, unitPrice: item.price,
                taxRate: item.rate, discount: 0)
        }
        let total = lines.reduce(0) { $0 + $1.quantity * $1.unitPrice - $1.discount }
        let method = random.next() % 3 == 0 ? "cash" : "card"
        return POSSaleV1(
            saleId: UUID().uuidString.lowercased(), storeId: store, terminalId: terminal, receiptNumber: receipt,
            occurredAt: ISO8601DateFormatter().string(from: Date()), cashierId: "E\(String(format: "%04d", Int(random.next() % 40) + 1))",
            currency: "EUR", customer: nil, lines: lines, payments: [.init(method: method, amount: total)], total: total, returnOf: nil)
    }
}

/// A small, fast, seedable random generator (SplitMix64).
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
