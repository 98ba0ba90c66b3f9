import Contracts
import Foundation

/// Plausible sales from a seeded generator: a few lines each at mixed tax rates, card, cash, voucher or on account,
/// some customers asking for a full invoice, and returns of earlier sales.
struct SaleGenerator {
    struct Shares {
        var returns = 0.05
        var customers = 0.10
        /// Of the sales to customers, those put on account.
        var deferredOfCustomers = 0.25
    }

    let stores: Int
    let terminalsPerStore: Int
    let shares: Shares
    /// Each terminal's sales are made by its own cashier (``cashier(of:)``), as during a shift.
    var cashierPerTerminal = false
    /// Each terminal's open till session: half the sales (even receipt numbers) name it in `tillSessionId`, the
    /// others are placed in it by their terminal and time.
    var tillSessions: [String: String] = [:]
    private var random: SplitMix64
    private var receipts: [String: Int64] = [:]
    /// Receipt numbers go on from one run to the next, as a real till's do: each run starts above the last.
    private let firstReceipt = Int64(Date().timeIntervalSince1970) * 1_000_000
    /// Recent sales that a return may name.
    private var recent: [POSSaleV1] = []
    /// How far back the sales are dated (a terminal syncing old sales, or seeding receivables already overdue).
    var backdating: TimeInterval = 0

    private static let catalogue: [(sku: String, description: String, price: Int64, rate: Int64)] = [
        ("CAF-001", "Café molido 250 g", 399, 10), ("LEC-002", "Leche entera 1 l", 95, 4), ("PAN-003", "Pan de molde", 149, 4),
        ("ACE-004", "Aceite de oliva virgen extra 1 l", 899, 10), ("DET-005", "Detergente 3 l", 650, 21),
        ("BAT-006", "Pilas AA x4", 475, 21), ("ARR-007", "Arroz redondo 1 kg", 189, 10), ("HUE-008", "Huevos L docena", 279, 4),
        ("AGU-009", "Agua mineral 6 x 1,5 l", 300, 10), ("LIB-010", "Libreta A5", 250, 21), ("MED-011", "Mascarillas x10", 500, 0),
    ]
    private static let customers: [POSSaleV1.Customer] = [
        .init(taxId: "B12345678", name: "Talleres Norte SL", address: "C/ Mayor 1, Burgos"),
        .init(taxId: "A87654321", name: "Hostelería del Sur SA", address: "Av. de la Constitución 20, Sevilla"),
        .init(taxId: "12345678Z", name: "María López García", address: "C/ Real 5, Valladolid"),
        .init(taxId: "FR40303265045", name: "Épicerie Fine Lyonnaise SARL", address: "Rue de la République 3, Lyon"),
    ]

    init(stores: Int, terminalsPerStore: Int, seed: UInt64, shares: Shares = Shares()) {
        self.stores = max(1, stores)
        self.terminalsPerStore = max(1, terminalsPerStore)
        self.shares = shares
        random = SplitMix64(seed: seed)
    }

    /// A sale (or a return) at a random terminal, or at `place`'s.
    mutating func next(now current: Date = Date(), at place: (store: String, terminal: String)? = nil) -> POSSaleV1 {
        let now = current.addingTimeInterval(-backdating)
        if place == nil, !recent.isEmpty, chance(shares.returns) {
            return returnOf(recent[Int(random.next() % UInt64(recent.count))], now: now)
        }
        let store = place?.store ?? String(format: "S%03d", pick(stores) + 1)
        let terminal = place?.terminal ?? "\(store)-T" + String(format: "%02d", pick(terminalsPerStore) + 1)
        let lines = (0..<pick(5) + 1).map { _ -> POSSaleV1.Line in
            let item = Self.catalogue[pick(Self.catalogue.count)]
            let quantity = Int64(pick(3) + 1)
            let discount = chance(0.1) ? quantity * item.price / 10 : 0
            return .init(sku: item.sku, description: item.description, quantity: quantity, unitPrice: item.price, taxRate: item.rate, discount: discount)
        }
        let total = lines.reduce(0) { $0 + $1.quantity * $1.unitPrice - $1.discount }
        let customer = chance(shares.customers) ? Self.customers[pick(Self.customers.count)] : nil
        let method = customer != nil && chance(shares.deferredOfCustomers) ? "deferred" : ["card", "card", "cash", "voucher"][pick(4)]
        let payments: [POSSaleV1.Payment]
        if method == "voucher", total > 500 {
            payments = [.init(method: "voucher", amount: 500), .init(method: "card", amount: total - 500)]
        } else {
            payments = [.init(method: method, amount: total)]
        }
        let receipt = nextReceipt(terminal)
        let sale = POSSaleV1(
            saleId: uuid(), storeId: store, terminalId: terminal, receiptNumber: receipt,
            occurredAt: Self.timestamp(now), cashierId: cashierPerTerminal ? Self.cashier(of: terminal) : String(format: "E%04d", pick(40) + 1),
            currency: "EUR", customer: customer,
            lines: lines, payments: payments, total: total, returnOf: nil, tillSessionId: session(of: terminal, receipt: receipt))
        if recent.count < 1000 { recent.append(sale) } else { recent[pick(1000)] = sale }
        return sale
    }

    /// A return of one line of `original`, at the same terminal, refunded the way it was paid.
    private mutating func returnOf(_ original: POSSaleV1, now: Date) -> POSSaleV1 {
        let line = original.lines[pick(original.lines.count)]
        let returned = POSSaleV1.Line(
            sku: line.sku, description: line.description, quantity: -line.quantity, unitPrice: line.unitPrice, taxRate: line.taxRate,
            discount: -line.discount)
        let total = returned.quantity * returned.unitPrice - returned.discount
        let method = original.payments[0].method == "deferred" ? "deferred" : "cash"
        let receipt = nextReceipt(original.terminalId)
        return POSSaleV1(
            saleId: uuid(), storeId: original.storeId, terminalId: original.terminalId, receiptNumber: receipt,
            occurredAt: Self.timestamp(now), cashierId: original.cashierId, currency: "EUR", customer: original.customer,
            lines: [returned], payments: [.init(method: method, amount: total)], total: total,
            returnOf: .init(saleId: original.saleId), tillSessionId: session(of: original.terminalId, receipt: receipt))
    }

    private func session(of terminal: String, receipt: Int64) -> String? {
        receipt % 2 == 0 ? tillSessions[terminal] : nil
    }

    private mutating func nextReceipt(_ terminal: String) -> Int64 {
        let receipt = (receipts[terminal] ?? firstReceipt) + 1
        receipts[terminal] = receipt
        return receipt
    }

    /// A version-4 UUID from the seeded generator, so that a seed repeats a run exactly.
    private mutating func uuid() -> String {
        var bytes = (0..<16).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let characters = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }.joined(separator: "-")
    }

    private mutating func pick(_ count: Int) -> Int { Int(random.next() % UInt64(max(1, count))) }
    private mutating func chance(_ share: Double) -> Bool { Double(random.next() % 1_000_000) < share * 1_000_000 }
    mutating func roll(_ share: Double) -> Bool { chance(share) }

    /// A number from 0 up to `count`, from the generator's own sequence.
    mutating func pick(below count: Int) -> Int { Int(random.next() % UInt64(max(1, count))) }

    /// Forgets a sale that will never be recorded (it is made invalid), so that no return names it.
    mutating func forget(_ saleId: String) { recent.removeAll { $0.saleId == saleId } }

    /// Every terminal of the fleet with its store.
    var terminals: [(store: String, terminal: String)] {
        (1...max(1, stores)).flatMap { store in
            (1...max(1, terminalsPerStore)).map { (String(format: "S%03d", store), String(format: "S%03d-T%02d", store, $0)) }
        }
    }

    /// The cashier of `terminal` when each terminal has its own: `C-<terminal>`.
    static func cashier(of terminal: String) -> String { "C-\(terminal)" }

    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .colon))
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
