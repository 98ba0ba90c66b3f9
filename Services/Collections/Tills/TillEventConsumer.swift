import AMQPClient
import Contracts
import Foundation
import PostgresClient
import ServiceRuntime

/// Collections' consumer of the terminals' till events on `pos` (`till.opened`, `till.cash_moved`, `till.closed`):
/// each is checked (its routing key names its store and terminal, identifiers, times, amounts) and recorded in its
/// own transaction; one that cannot be is dead-lettered with its code and reason, and the rest go on.
struct TillEventConsumer: Sendable {
    let database: Database
    let settle: Duration

    func handle(_ batch: [Delivery]) async throws -> [Rejection] {
        var rejections: [Rejection] = []
        for delivery in batch {
            let event: TillEvent
            do {
                event = try TillEvent.read(delivery)
            } catch {
                rejections.append(Rejection(deliveryTag: delivery.deliveryTag, code: error.code, reason: error.reason))
                continue
            }
            let settle = self.settle
            do {
                try await database.transaction { connection in
                    switch event {
                    case .opened(let opened): try TillSessions.open(opened, on: connection)
                    case .cashMoved(let moved): try TillSessions.moveCash(moved, on: connection)
                    case .closed(let closed): try TillSessions.close(closed, settle: settle, on: connection)
                    }
                }
            } catch let refusal as TillRefusal {
                if let underlying = refusal.underlying { throw underlying }  // the database: the whole batch again
                rejections.append(Rejection(deliveryTag: delivery.deliveryTag, code: refusal.code, reason: refusal.reason))
            }
        }
        return rejections
    }
}

/// A till event read from its delivery and checked.
enum TillEvent: Sendable {
    case opened(TillOpenedV1)
    case cashMoved(TillCashMovedV1)
    case closed(TillClosedV1)

    /// The most a till's amounts may be: ten million euros.
    static let maximumCents: Int64 = 1_000_000_000

    static func read(_ delivery: Delivery) throws(TillRefusal) -> TillEvent {
        let parts = delivery.routingKey.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "till" else {
            throw TillRefusal("till.unknown_event", "routing key '\(delivery.routingKey.prefix(100))' is not till.<event>.<store>.<terminal>")
        }
        let decoder = JSONDecoder()
        let body = Data(delivery.body)
        let event: TillEvent
        let key: (store: String, terminal: String)
        do {
            switch parts[1] {
            case "opened":
                let opened = try decoder.decode(TillOpenedV1.self, from: body)
                try identifiers(["sessionId": opened.sessionId, "storeId": opened.storeId, "terminalId": opened.terminalId])
                if let cashier = opened.cashierId { try identifiers(["cashierId": cashier]) }
                try time(opened.openedAt, "openedAt")
                try cents(opened.openingFloat, "openingFloat")
                (event, key) = (.opened(opened), (opened.storeId, opened.terminalId))
            case "cash_moved":
                let moved = try decoder.decode(TillCashMovedV1.self, from: body)
                try identifiers(["moveId": moved.moveId, "sessionId": moved.sessionId, "storeId": moved.storeId, "terminalId": moved.terminalId])
                try time(moved.movedAt, "movedAt")
                guard ["in", "out"].contains(moved.direction) else {
                    throw TillRefusal("till.invalid_direction", "direction '\(moved.direction.prefix(20))' is not in or out")
                }
                try cents(moved.amount, "amount", positive: true)
                guard (1...200).contains(moved.reason.count), SaleContract.controlCharacter(in: moved.reason) == nil else {
                    throw TillRefusal("till.invalid_reason", "reason must be 1–200 characters without control characters")
                }
                (event, key) = (.cashMoved(moved), (moved.storeId, moved.terminalId))
            case "closed":
                let closed = try decoder.decode(TillClosedV1.self, from: body)
                try identifiers(["sessionId": closed.sessionId, "storeId": closed.storeId, "terminalId": closed.terminalId])
                try time(closed.closedAt, "closedAt")
                try cents(closed.countedCash, "countedCash")
                try cents(closed.cardTotal, "cardTotal", signed: true)
                try cents(closed.voucherTotal, "voucherTotal", signed: true)
                if let receipts = closed.receipts, !(0...1_000_000).contains(receipts) {
                    throw TillRefusal("till.invalid_receipts", "receipts \(receipts) is not between 0 and 1000000")
                }
                (event, key) = (.closed(closed), (closed.storeId, closed.terminalId))
            default:
                throw TillRefusal("till.unknown_event", "till.\(parts[1].prefix(40)) is not opened, cash_moved or closed")
            }
        } catch let refusal as TillRefusal {
            throw refusal
        } catch {
            throw TillRefusal("till.malformed", "not a pos.till.\(parts[1].prefix(40)).v1: \(MessageDecoding.describe(error))")
        }
        guard parts[2] == key.store, parts[3] == key.terminal else {
            throw TillRefusal("till.routing_mismatch", "routing key '\(delivery.routingKey.prefix(100))' does not name store \(key.store) and terminal \(key.terminal)")
        }
        return event
    }

    private static func identifiers(_ fields: KeyValuePairs<String, String>) throws(TillRefusal) {
        for (field, value) in fields where !OperationsRoutes.isIdentifier(value) {
            throw TillRefusal("till.invalid_identifier", "\(field) '\(value.prefix(60))' must be 1–48 letters, digits, '-' or '_'")
        }
    }

    private static func time(_ text: String, _ field: String) throws(TillRefusal) {
        guard let date = ISO8601Timestamp.parse(text), date >= SaleContract.earliestDate, date < SaleContract.latestDate else {
            throw TillRefusal("till.invalid_time", "\(field) '\(text.prefix(40))' is not an ISO 8601 date-time with offset between 2000 and 2999")
        }
    }

    private static func cents(_ value: Int64, _ field: String, positive: Bool = false, signed: Bool = false) throws(TillRefusal) {
        let range: ClosedRange<Int64> = signed ? -maximumCents...maximumCents : (positive ? 1 : 0)...maximumCents
        guard range.contains(value) else {
            throw TillRefusal("till.invalid_amount", "\(field) \(value) is not between \(range.lowerBound) and \(range.upperBound) cents")
        }
    }
}
