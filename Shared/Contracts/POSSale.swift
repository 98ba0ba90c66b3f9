/// `pos.sale.v1`: a sale (or a return) as a POS terminal publishes it to exchange `pos` with routing key
/// `sale.<storeId>.<terminalId>`. Money is integer cents, tax included. See `docs/asyncapi.yaml`.
public struct POSSaleV1: Codable, Sendable, Equatable {
    public static let messageType = "pos.sale.v1"

    public var saleId: String
    public var storeId: String
    public var terminalId: String
    public var receiptNumber: Int64
    /// ISO 8601 with offset, for example `2026-11-29T10:15:00+01:00`.
    public var occurredAt: String
    public var cashierId: String
    public var currency: String
    public var customer: Customer?
    public var lines: [Line]
    public var payments: [Payment]
    public var total: Int64
    public var returnOf: ReturnReference?
    /// The till session the sale was made in (as `till.opened` named it), when the terminal knows it; without it, a
    /// sale belongs to the session its terminal had open at `occurredAt`. Absent from terminals that do not send it.
    public var tillSessionId: String?

    /// The customer who asked for a full invoice.
    public typealias Customer = Party

    public struct Line: Codable, Sendable, Equatable {
        public var sku: String
        public var description: String
        public var quantity: Int64
        public var unitPrice: Int64
        /// Percent: 21, 10, 4 or 0.
        public var taxRate: Int64
        public var discount: Int64
        public init(sku: String, description: String, quantity: Int64, unitPrice: Int64, taxRate: Int64, discount: Int64) {
            self.sku = sku
            self.description = description
            self.quantity = quantity
            self.unitPrice = unitPrice
            self.taxRate = taxRate
            self.discount = discount
        }
    }

    public struct Payment: Codable, Sendable, Equatable {
        /// `cash`, `card`, `voucher` or `deferred`.
        public var method: String
        public var amount: Int64
        public init(method: String, amount: Int64) {
            self.method = method
            self.amount = amount
        }
    }

    public struct ReturnReference: Codable, Sendable, Equatable {
        public var saleId: String
        public init(saleId: String) { self.saleId = saleId }
    }

    public init(
        saleId: String, storeId: String, terminalId: String, receiptNumber: Int64, occurredAt: String, cashierId: String,
        currency: String, customer: Customer?, lines: [Line], payments: [Payment], total: Int64, returnOf: ReturnReference?,
        tillSessionId: String? = nil
    ) {
        self.tillSessionId = tillSessionId
        self.saleId = saleId
        self.storeId = storeId
        self.terminalId = terminalId
        self.receiptNumber = receiptNumber
        self.occurredAt = occurredAt
        self.cashierId = cashierId
        self.currency = currency
        self.customer = customer
        self.lines = lines
        self.payments = payments
        self.total = total
        self.returnOf = returnOf
    }

    /// `sale.<storeId>.<terminalId>`.
    public var routingKey: String { "sale.\(storeId).\(terminalId)" }
}

/// A party to a sale or an invoice: the customer who asks for a full invoice, or the issuer.
public struct Party: Codable, Sendable, Equatable {
    public var taxId: String?
    public var name: String?
    public var address: String?

    public init(taxId: String?, name: String?, address: String?) {
        self.taxId = taxId
        self.name = name
        self.address = address
    }
}
