/// A till's session as the terminal tells it, on exchange `pos` (see `docs/asyncapi.yaml`): `till.opened.<store>.<terminal>`,
/// `till.cash_moved.<store>.<terminal>` and `till.closed.<store>.<terminal>`. Money is integer cents, as in
/// `pos.sale.v1`; times are ISO 8601 with the till's offset. `sessionId` is the terminal's own name for the session
/// (unique per terminal); a sale names it in `tillSessionId`.
package struct TillOpenedV1: Codable, Sendable, Equatable {
    package static let messageType = "pos.till.opened.v1"
    package var sessionId: String
    package var storeId: String
    package var terminalId: String
    package var openedAt: String
    /// The cash put in the drawer to give change.
    package var openingFloat: Int64
    package var cashierId: String?

    package init(sessionId: String, storeId: String, terminalId: String, openedAt: String, openingFloat: Int64, cashierId: String? = nil) {
        self.sessionId = sessionId
        self.storeId = storeId
        self.terminalId = terminalId
        self.openedAt = openedAt
        self.openingFloat = openingFloat
        self.cashierId = cashierId
    }

    package var routingKey: String { "till.opened.\(storeId).\(terminalId)" }
}

/// Cash paid into the drawer (`in`: change from the safe) or out of it (`out`: a supplier paid, a bank deposit).
package struct TillCashMovedV1: Codable, Sendable, Equatable {
    package static let messageType = "pos.till.cash_moved.v1"
    /// Unique within the session: a movement sent twice counts once.
    package var moveId: String
    package var sessionId: String
    package var storeId: String
    package var terminalId: String
    package var movedAt: String
    /// `in` or `out`.
    package var direction: String
    /// Positive cents.
    package var amount: Int64
    package var reason: String

    package init(
        moveId: String, sessionId: String, storeId: String, terminalId: String, movedAt: String, direction: String, amount: Int64, reason: String
    ) {
        self.moveId = moveId
        self.sessionId = sessionId
        self.storeId = storeId
        self.terminalId = terminalId
        self.movedAt = movedAt
        self.direction = direction
        self.amount = amount
        self.reason = reason
    }

    package var routingKey: String { "till.cash_moved.\(storeId).\(terminalId)" }
}

/// The till closed: the cash counted in the drawer, the card and voucher totals the terminal printed, and how many
/// receipts (sales and returns) it sent in the session, which collections waits for before it issues the Z report.
package struct TillClosedV1: Codable, Sendable, Equatable {
    package static let messageType = "pos.till.closed.v1"
    package var sessionId: String
    package var storeId: String
    package var terminalId: String
    package var closedAt: String
    package var countedCash: Int64
    package var cardTotal: Int64
    package var voucherTotal: Int64
    package var receipts: Int64?

    package init(
        sessionId: String, storeId: String, terminalId: String, closedAt: String, countedCash: Int64, cardTotal: Int64, voucherTotal: Int64,
        receipts: Int64? = nil
    ) {
        self.sessionId = sessionId
        self.storeId = storeId
        self.terminalId = terminalId
        self.closedAt = closedAt
        self.countedCash = countedCash
        self.cardTotal = cardTotal
        self.voucherTotal = voucherTotal
        self.receipts = receipts
    }

    package var routingKey: String { "till.closed.\(storeId).\(terminalId)" }
}

/// `collections.till.reconciled.v1`, on `collections.events` as `till.reconciled.<store>.<terminal>`: a session's Z
/// report was issued; what each method should have held, what was counted or printed, and the differences.
package struct TillReconciledV1: Codable, Sendable, Equatable {
    package static let messageType = "collections.till.reconciled.v1"
    package struct Method: Codable, Sendable, Equatable {
        package var method: String
        package var expectedCents: Int64
        package var countedCents: Int64
        package var differenceCents: Int64
        package init(method: String, expectedCents: Int64, countedCents: Int64, differenceCents: Int64) {
            self.method = method
            self.expectedCents = expectedCents
            self.countedCents = countedCents
            self.differenceCents = differenceCents
        }
    }
    package var sessionId: String
    package var storeId: String
    package var terminalId: String
    package var zNumber: Int64
    package var methods: [Method]
    /// The sum of the differences: 0 when the till was right.
    package var differenceCents: Int64

    package init(sessionId: String, storeId: String, terminalId: String, zNumber: Int64, methods: [Method], differenceCents: Int64) {
        self.sessionId = sessionId
        self.storeId = storeId
        self.terminalId = terminalId
        self.zNumber = zNumber
        self.methods = methods
        self.differenceCents = differenceCents
    }
}
