/// A till's session as the terminal tells it, on exchange `pos` (see `docs/asyncapi.yaml`): `till.opened.<store>.<terminal>`,
/// `till.cash_moved.<store>.<terminal>` and `till.closed.<store>.<terminal>`. Money is integer cents, as in
/// `pos.sale.v1`; times are ISO 8601 with the till's offset. `sessionId` is the terminal's own name for the session
/// (unique per terminal); a sale names it in `tillSessionId`.
public struct TillOpenedV1: Codable, Sendable, Equatable {
    public static let messageType = "pos.till.opened.v1"
    public var sessionId: String
    public var storeId: String
    public var terminalId: String
    public var openedAt: String
    /// The cash put in the drawer to give change.
    public var openingFloat: Int64
    public var cashierId: String?

    public init(sessionId: String, storeId: String, terminalId: String, openedAt: String, openingFloat: Int64, cashierId: String? = nil) {
        self.sessionId = sessionId
        self.storeId = storeId
        self.terminalId = terminalId
        self.openedAt = openedAt
        self.openingFloat = openingFloat
        self.cashierId = cashierId
    }

    public var routingKey: String { "till.opened.\(storeId).\(terminalId)" }
}

/// Cash paid into the drawer (`in`: change from the safe) or out of it (`out`: a supplier paid, a bank deposit).
public struct TillCashMovedV1: Codable, Sendable, Equatable {
    public static let messageType = "pos.till.cash_moved.v1"
    /// Unique within the session: a movement sent twice counts once.
    public var moveId: String
    public var sessionId: String
    public var storeId: String
    public var terminalId: String
    public var movedAt: String
    /// `in` or `out`.
    public var direction: String
    /// Positive cents.
    public var amount: Int64
    public var reason: String

    public init(
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

    public var routingKey: String { "till.cash_moved.\(storeId).\(terminalId)" }
}

/// The till closed: the cash counted in the drawer, the card and voucher totals the terminal printed, and how many
/// receipts (sales and returns) it sent in the session, which collections waits for before it issues the Z report.
public struct TillClosedV1: Codable, Sendable, Equatable {
    public static let messageType = "pos.till.closed.v1"
    public var sessionId: String
    public var storeId: String
    public var terminalId: String
    public var closedAt: String
    public var countedCash: Int64
    public var cardTotal: Int64
    public var voucherTotal: Int64
    public var receipts: Int64?

    public init(
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

    public var routingKey: String { "till.closed.\(storeId).\(terminalId)" }
}

/// `collections.till.reconciled.v1`, on `collections.events` as `till.reconciled.<store>.<terminal>`: a session's Z
/// report was issued; what each method should have held, what was counted or printed, and the differences.
public struct TillReconciledV1: Codable, Sendable, Equatable {
    public static let messageType = "collections.till.reconciled.v1"
    public struct Method: Codable, Sendable, Equatable {
        public var method: String
        public var expectedCents: Int64
        public var countedCents: Int64
        public var differenceCents: Int64
        public init(method: String, expectedCents: Int64, countedCents: Int64, differenceCents: Int64) {
            self.method = method
            self.expectedCents = expectedCents
            self.countedCents = countedCents
            self.differenceCents = differenceCents
        }
    }
    public var sessionId: String
    public var storeId: String
    public var terminalId: String
    public var zNumber: Int64
    public var methods: [Method]
    /// The sum of the differences: 0 when the till was right.
    public var differenceCents: Int64

    public init(sessionId: String, storeId: String, terminalId: String, zNumber: Int64, methods: [Method], differenceCents: Int64) {
        self.sessionId = sessionId
        self.storeId = storeId
        self.terminalId = terminalId
        self.zNumber = zNumber
        self.methods = methods
        self.differenceCents = differenceCents
    }
}
