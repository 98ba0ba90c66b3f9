/// `pos.sale.v1`: a sale (or a return) as a POS terminal publishes it to exchange `pos` with routing key
/// `sale.<storeId>.<terminalId>`. Money is integer cents, tax included. See `docs/asyncapi.yaml`.
package struct POSSaleV1: Codable, Sendable, Equatable {
    package static let messageType = "pos.sale.v1"

    package var saleId: String
    package var storeId: String
    package var terminalId: String
    package var receiptNumber: Int64
    /// ISO 8601 with offset, for example `2026-11-29T10:15:00+01:00`.
    package var occurredAt: String
    package var cashierId: String
    package var currency: String
    package var customer: Customer?
    package var lines: [Line]
    package var payments: [Payment]
    package var total: Int64
    package var returnOf: ReturnReference?
    /// The till session the sale was made in (as `till.opened` named it), when the terminal knows it; without it, a
    /// sale belongs to the session its terminal had open at `occurredAt`. Absent from terminals that do not send it.
    package var tillSessionId: String?

    /// The customer who asked for a full invoice.
    package typealias Customer = Party

    package struct Line: Codable, Sendable, Equatable {
        package var sku: String
        package var description: String
        package var quantity: Int64
        package var unitPrice: Int64
        /// Percent: 21, 10, 4 or 0.
        package var taxRate: Int64
        package var discount: Int64
        package init(sku: String, description: String, quantity: Int64, unitPrice: Int64, taxRate: Int64, discount: Int64) {
            self.sku = sku
            self.description = description
            self.quantity = quantity
            self.unitPrice = unitPrice
            self.taxRate = taxRate
            self.discount = discount
        }
    }

    package struct Payment: Codable, Sendable, Equatable {
        /// `cash`, `card`, `voucher` or `deferred`.
        package var method: String
        package var amount: Int64
        package init(method: String, amount: Int64) {
            self.method = method
            self.amount = amount
        }
    }

    package struct ReturnReference: Codable, Sendable, Equatable {
        package var saleId: String
        package init(saleId: String) { self.saleId = saleId }
    }

    package init(
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
    package var routingKey: String { "sale.\(storeId).\(terminalId)" }
}

/// A party to a sale or an invoice: the customer who asks for a full invoice, or the issuer.
package struct Party: Codable, Sendable, Equatable {
    package var taxId: String?
    package var name: String?
    package var address: String?

    package init(taxId: String?, name: String?, address: String?) {
        self.taxId = taxId
        self.name = name
        self.address = address
    }
}
