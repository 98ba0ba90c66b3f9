import AMQPClient
import Contracts
import Foundation
import Synchronization

/// Each terminal's till around its sales: opened with a float, cash paid in and out, closed with the cash counted
/// (short by a set amount on a share of terminals), the card and voucher totals, and the receipts it sent.
final class Tills: Sendable {
    /// What a terminal's valid sales brought in, by method, and how many it sent.
    struct Tally: Sendable {
        var cash: Int64 = 0
        var card: Int64 = 0
        var voucher: Int64 = 0
        var receipts: Int64 = 0
        var lateCash: Int64 = 0
    }

    static let openingFloat: Int64 = 15_000
    static let paidIn: Int64 = 5_000
    static let paidOut: Int64 = 2_000

    /// The session of each terminal, by terminal id.
    let sessions: [String: String]
    private let places: [(store: String, terminal: String)]
    private let short: Set<String>
    private let shortCents: Int64
    private let tallies = Mutex<[String: Tally]>([:])

    init(terminals: [(store: String, terminal: String)], shortTerminals: Set<String>, shortCents: Int64) {
        places = terminals
        sessions = Dictionary(uniqueKeysWithValues: terminals.map { ($0.terminal, UUID().uuidString.lowercased()) })
        short = shortTerminals
        self.shortCents = shortCents
    }

    /// Counts a valid sale (once, however often it is published); a late one is in the drawer but was not sent.
    func count(_ sale: POSSaleV1, late: Bool = false) {
        tallies.withLock { tallies in
            var tally = tallies[sale.terminalId] ?? Tally()
            for payment in sale.payments {
                switch payment.method {
                case "cash": if late { tally.lateCash += payment.amount } else { tally.cash += payment.amount }
                case "card" where !late: tally.card += payment.amount
                case "voucher" where !late: tally.voucher += payment.amount
                default: break
                }
            }
            if !late { tally.receipts += 1 }
            tallies[sale.terminalId] = tally
        }
    }

    func opened(at date: Date) -> [OutgoingMessage] {
        places.map { place in
            message(
                TillOpenedV1(
                    sessionId: sessions[place.terminal]!, storeId: place.store, terminalId: place.terminal, openedAt: SaleGenerator.timestamp(date),
                    openingFloat: Self.openingFloat, cashierId: SaleGenerator.cashier(of: place.terminal)),
                key: "till.opened.\(place.store).\(place.terminal)", type: TillOpenedV1.messageType, id: "\(sessions[place.terminal]!)-opened")
        }
    }

    func cashMoves(at date: Date) -> [OutgoingMessage] {
        places.flatMap { place in
            [("in", Self.paidIn, "cambio de la caja fuerte"), ("out", Self.paidOut, "pago a un proveedor")].map { direction, amount, reason in
                let session = sessions[place.terminal]!
                return message(
                    TillCashMovedV1(
                        moveId: "\(session.prefix(8))-\(direction)", sessionId: session, storeId: place.store, terminalId: place.terminal,
                        movedAt: SaleGenerator.timestamp(date), direction: direction, amount: amount, reason: reason),
                    key: "till.cash_moved.\(place.store).\(place.terminal)", type: TillCashMovedV1.messageType, id: "\(session)-\(direction)")
            }
        }
    }

    /// The closes, and what each terminal's drawer was short by.
    func closed(at date: Date) -> [OutgoingMessage] {
        let tallies = self.tallies.withLock { $0 }
        return places.map { place in
            let tally = tallies[place.terminal] ?? Tally()
            let expected = Self.openingFloat + tally.cash + tally.lateCash + Self.paidIn - Self.paidOut
            let session = sessions[place.terminal]!
            return message(
                TillClosedV1(
                    sessionId: session, storeId: place.store, terminalId: place.terminal, closedAt: SaleGenerator.timestamp(date),
                    countedCash: expected - (short.contains(place.terminal) ? shortCents : 0), cardTotal: tally.card, voucherTotal: tally.voucher,
                    receipts: tally.receipts),
                key: "till.closed.\(place.store).\(place.terminal)", type: TillClosedV1.messageType, id: "\(session)-closed")
        }
    }

    var report: String {
        let tallies = self.tallies.withLock { $0 }
        return "tills: \(places.count), receipts: \(tallies.values.reduce(0) { $0 + $1.receipts }), short: \(short.count) by \(shortCents) cents"
    }

    private func message<Event: Encodable>(_ event: Event, key: String, type: String, id: String) -> OutgoingMessage {
        OutgoingMessage(
            exchange: Exchanges.pos.name, routingKey: key, body: Array((try? JSONEncoder().encode(event)) ?? Data()),
            properties: MessageProperties(type: type, messageId: id))
    }
}
