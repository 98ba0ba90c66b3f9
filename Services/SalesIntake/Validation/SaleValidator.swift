import AMQPClient
import ByteText
import Contracts
import Foundation

/// A sale that passed every rule, with what recording and announcing it need (and nothing more: each field is
/// released once per sale). A class: it is passed around a batch several times, and copying a struct of many strings
/// cost a retain for each of them every time.
package final class ValidatedSale: Sendable {
    package let deliveryTag: UInt64
    /// The sale's id: what the batch and the COPY use (its text is made only where it is written).
    package let saleUUID: UUID
    /// The sale it returns, for a return.
    package let returnOf: UUID?
    package let storeId: String
    package let terminalId: String
    package let receiptNumber: Int64
    package let cashierId: String
    package let currency: String
    /// Cents, tax included.
    package let total: Int64
    package let customerTaxId: String?
    /// The message body exactly as received (valid JSON, an object), announced without re-encoding; it keeps the
    /// lines, payments and customer, which were checked as they were read.
    package let body: [UInt8]
    package let occurredAt: Date
    package let traceparent: String?

    package init(
        deliveryTag: UInt64, saleUUID: UUID, returnOf: UUID?, sale: POSSaleV1, body: [UInt8], occurredAt: Date, traceparent: String?
    ) {
        self.deliveryTag = deliveryTag
        self.saleUUID = saleUUID
        self.returnOf = returnOf
        storeId = sale.storeId
        terminalId = sale.terminalId
        receiptNumber = sale.receiptNumber
        cashierId = sale.cashierId
        currency = sale.currency
        total = sale.total
        customerTaxId = sale.customer?.taxId
        self.body = body
        self.occurredAt = occurredAt
        self.traceparent = traceparent
    }

    /// Lower-case canonical UUID (made each time: for reasons and the rare batch that needs it).
    package var saleId: String { saleUUID.lowercasedText }

    /// `occurredAt` on PostgreSQL's clock: microseconds since 2000-01-01 UTC.
    package var occurredAtMicrosecondsSince2000: Int64 {
        Int64(((occurredAt.timeIntervalSince1970 - 946_684_800) * 1_000_000).rounded())
    }
}

/// The limits of `pos.sale.v1` (documented in `docs/asyncapi.yaml`); the fiscal ones are configuration. The short
/// lists are arrays: looking through four entries costs less than hashing the value, for every line of every sale.
package struct SaleLimits: Sendable {
    package var maximumMessageBytes = 65_536
    package var currencies = ["EUR"]
    package var taxRates: [Int64] = [21, 10, 4, 0]
    /// How far in the future `occurredAt` may be (terminal clocks drift): `TRASTIENDA_SALES_INTAKE_CLOCK_DRIFT_SECONDS`.
    package var futureTolerance: TimeInterval = 300
    /// How far in the past `occurredAt` may be (a till that was offline syncs late; older sales are refused, to be
    /// replayed from the dead-letter queue once someone decides): `TRASTIENDA_SALES_INTAKE_LATE_SYNC_DAYS`.
    package var pastTolerance: TimeInterval = 31 * 86_400
    package var maximumLines = SaleContract.maximumLines
    package var maximumPayments = SaleContract.maximumPayments
    package var maximumQuantity = SaleContract.maximumQuantity
    package var maximumUnitPrice = SaleContract.maximumUnitPrice
    package var maximumIdentifierLength = SaleContract.maximumIdentifierLength
    package var maximumTextLength = SaleContract.maximumTextLength
    package var maximumReceiptNumber = SaleContract.maximumReceiptNumber
    package var paymentMethods = ["cash", "card", "voucher", "deferred"]
    /// When terminals connect as their own broker users (`trastienda provision`), every sale must carry the
    /// broker-validated `user_id` of its terminal, `till-<terminalId>`: `TRASTIENDA_SALES_INTAKE_TERMINAL_USERS=1`.
    package var requireTerminalUser = ProcessInfo.processInfo.environment["TRASTIENDA_SALES_INTAKE_TERMINAL_USERS"] == "1"

    package init() {}
}

/// Checks every rule of `pos.sale.v1`. Pure: no I/O, so it runs in microseconds and is unit-tested.
package struct SaleValidator: Sendable {
    package var limits: SaleLimits

    package init(limits: SaleLimits = SaleLimits()) { self.limits = limits }

    package func validate(_ delivery: Delivery, now: Date = Date()) -> Result<ValidatedSale, SaleViolation> {
        Result { try validated(delivery, now: now) }.mapError { $0 as? SaleViolation ?? SaleViolation("sale.invalid", "\($0)") }
    }

    private func validated(_ delivery: Delivery, now: Date) throws -> ValidatedSale {
        let body = delivery.body
        guard body.count <= limits.maximumMessageBytes else {
            throw SaleViolation("sale.oversize", "message of \(body.count) bytes is over the limit of \(limits.maximumMessageBytes)")
        }
        if let type = delivery.properties.type, type != POSSaleV1.messageType {
            throw SaleViolation("sale.unsupported_type", "message type '\(type)' is not \(POSSaleV1.messageType)")
        }
        guard body.first(where: { !Self.isJSONWhitespace($0) }) == UInt8(ascii: "{") else {
            throw SaleViolation("sale.malformed_json", "the body is not a JSON object")
        }
        var tally = PartsTally(limits: limits, now: now)
        let sale = try SaleJSONParser.parse(body, visitor: &tally)
        guard let saleUUID = tally.saleUUID else {
            throw SaleViolation("sale.invalid_sale_id", "saleId '\((tally.saleIdText ?? "").prefix(60))' is not a UUID")
        }
        if let messageId = delivery.properties.messageId, UUIDText.parse(messageId) != saleUUID {
            throw SaleViolation("sale.message_id_mismatch", "message_id '\(messageId)' is not the saleId '\(saleUUID.lowercasedText)'")
        }
        try identifier(sale.storeId, field: "storeId", code: "sale.invalid_store_id")
        try identifier(sale.terminalId, field: "terminalId", code: "sale.invalid_terminal_id")
        try identifier(sale.cashierId, field: "cashierId", code: "sale.invalid_cashier_id")
        if let session = sale.tillSessionId { try identifier(session, field: "tillSessionId", code: "sale.invalid_till_session_id") }
        if !Self.isRoutingKey(delivery.routingKey, of: sale) {
            throw SaleViolation(
                "sale.routing_mismatch", "routing key '\(delivery.routingKey)' does not name store and terminal '\(sale.routingKey)'")
        }
        if limits.requireTerminalUser, delivery.properties.userId != "till-\(sale.terminalId)" {
            throw SaleViolation(
                "sale.wrong_sender",
                "sent by '\(delivery.properties.userId ?? "(no user_id)")', not by terminal \(sale.terminalId)'s own user till-\(sale.terminalId)")
        }
        guard (1...limits.maximumReceiptNumber).contains(sale.receiptNumber) else {
            throw SaleViolation("sale.invalid_receipt_number", "receiptNumber \(sale.receiptNumber) is not between 1 and \(limits.maximumReceiptNumber)")
        }
        guard let occurredAt = tally.occurredAt else {
            throw SaleViolation("sale.invalid_date", "occurredAt '\(tally.occurredAtText ?? "")' is not an ISO 8601 date-time with offset")
        }
        if occurredAt.timeIntervalSince(now) > limits.futureTolerance {
            throw SaleViolation(
                "sale.future_date", "occurredAt \(tally.occurredAtText ?? "") is more than \(Int(limits.futureTolerance)) s in the future")
        }
        if now.timeIntervalSince(occurredAt) > limits.pastTolerance {
            throw SaleViolation(
                "sale.too_old", "occurredAt \(tally.occurredAtText ?? "") is more than \(Int(limits.pastTolerance / 86_400)) days in the past")
        }
        guard limits.currencies.contains(sale.currency) else {
            throw SaleViolation("sale.unknown_currency", "currency '\(sale.currency)' is not one of \(limits.currencies.sorted().joined(separator: ", "))")
        }
        if let customer = sale.customer { try check(customer) }
        let linesTotal = try tally.lines.total(limits: limits)
        guard linesTotal == sale.total else {
            throw SaleViolation("sale.total_mismatch", "total \(sale.total) ≠ lines \(linesTotal)")
        }
        if !tally.payments.keepsEveryRule(total: sale.total, customerTaxId: sale.customer?.taxId, limits: limits) {
            try checkPayments(SaleJSONParser.parse(body).payments, total: sale.total, customerTaxId: sale.customer?.taxId)
        }
        let returnOf = try checkReturn(sale, lines: tally.lines, saleId: saleUUID)
        return ValidatedSale(
            deliveryTag: delivery.deliveryTag, saleUUID: saleUUID, returnOf: returnOf, sale: sale, body: body,
            occurredAt: occurredAt, traceparent: TraceContext.of(delivery.properties))
    }

    /// The first rule the payments break, with the first payment that breaks it (read in full: only a sale
    /// already known to break one). The rules are ``PaymentRule``'s, the ones the fast check asks.
    package func checkPayments(_ payments: [POSSaleV1.Payment], total: Int64, customerTaxId: String?) throws {
        func summary(_ payments: some Sequence<POSSaleV1.Payment>) -> PaymentSummary {
            var summary = PaymentSummary()
            for payment in payments {
                summary.add(
                    amount: payment.amount, methodIsKnown: limits.paymentMethods.contains(payment.method),
                    isDeferred: payment.method == "deferred")
            }
            return summary
        }
        let all = summary(payments)
        guard let broken = all.brokenRule(total: total, customerTaxId: customerTaxId, limits: limits) else { return }
        guard broken.isOfOnePayment else {
            throw violation(broken, payments: payments, index: 0, total: total, paid: all.paid)
        }
        for index in payments.indices {
            if let rule = summary(CollectionOfOne(payments[index])).brokenRule(total: total, customerTaxId: customerTaxId, limits: limits),
                rule.isOfOnePayment
            {
                throw violation(rule, payments: payments, index: index, total: total, paid: all.paid)
            }
        }
    }

    private func violation(_ rule: PaymentRule, payments: [POSSaleV1.Payment], index: Int, total: Int64, paid: Int64) -> SaleViolation {
        let reason =
            switch rule {
            case .noPayments: "a sale needs at least one payment"
            case .tooManyPayments: "\(payments.count) payments is over the limit of \(limits.maximumPayments)"
            case .unknownMethod:
                "payments[\(index)].method '\(payments[index].method)' is not one of \(limits.paymentMethods.sorted().joined(separator: ", "))"
            case .invalidAmount:
                "payments[\(index)].amount \(payments[index].amount) is zero, of the wrong sign, or more than the total"
            case .deferredWithoutCustomer: "payments[\(index)] is on account (deferred): the sale needs a customer with a taxId"
            case .paymentsMismatch: "payments \(paid) ≠ total \(total)"
            }
        return SaleViolation(rule.code, reason)
    }

    /// The sale a return returns (nil for a sale).
    private func checkReturn(_ sale: POSSaleV1, lines: LineTally, saleId: UUID) throws -> UUID? {
        let negative = lines.negative
        if negative > 0, negative < lines.count {
            throw SaleViolation("sale.mixed_quantities", "a sale's lines are all positive, a return's all negative")
        }
        let isReturn = negative > 0
        if isReturn, sale.returnOf == nil {
            throw SaleViolation("sale.return_without_reference", "a return (negative quantities) must name the sale it returns in returnOf")
        }
        if let returnOf = sale.returnOf {
            guard isReturn else {
                throw SaleViolation("sale.return_with_positive_quantities", "returnOf is set but the quantities are positive")
            }
            guard let original = UUIDText.parse(returnOf.saleId) else {
                throw SaleViolation("sale.invalid_return_reference", "returnOf.saleId '\(returnOf.saleId.prefix(60))' is not a UUID")
            }
            guard original != saleId else {
                throw SaleViolation("sale.invalid_return_reference", "a return cannot return itself")
            }
            return original
        }
        return nil
    }

    private func check(_ customer: POSSaleV1.Customer) throws {
        if let taxId = customer.taxId {
            guard (2...20).contains(taxId.utf8.count), Self.allBytes(of: taxId, Self.isAlphanumeric) else {
                throw SaleViolation("sale.invalid_customer", "customer.taxId '\(taxId)' is not 2–20 letters and digits")
            }
            guard let name = customer.name, !name.isEmpty else {
                throw SaleViolation("sale.invalid_customer", "a customer with a taxId needs a name for the invoice")
            }
        }
        for (field, value) in [("name", customer.name), ("address", customer.address)] {
            guard let value else { continue }
            if !value.fits(limits.maximumTextLength) {
                throw SaleViolation("sale.invalid_customer", "customer.\(field) is longer than \(limits.maximumTextLength) characters")
            }
            if let control = SaleContract.controlCharacter(in: value) {
                throw SaleViolation("sale.control_character", "customer.\(field) holds the control character \(SaleContract.name(control))")
            }
        }
    }

    /// Identifiers become routing-key words and database keys: letters, digits, `-` and `_` only.
    private func identifier(_ value: String, field: String, code: String) throws {
        guard (1...limits.maximumIdentifierLength).contains(value.utf8.count),
            Self.allBytes(of: value, { Self.isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") })
        else {
            throw SaleViolation(
                code, "\(field) '\(value.prefix(60))' must be 1–\(limits.maximumIdentifierLength) letters, digits, '-' or '_'")
        }
    }

    /// Whether `routingKey` is the sale's `sale.<storeId>.<terminalId>`, compared without building the text.
    package static func isRoutingKey(_ routingKey: String, of sale: POSSaleV1) -> Bool {
        routingKey.withUTF8Bytes { key in
            sale.storeId.withUTF8Bytes { store in
                sale.terminalId.withUTF8Bytes { terminal in
                    guard key.count == 6 + store.count + terminal.count, let base = key.baseAddress else { return false }
                    return memcmp(base, "sale.", 5) == 0 && (store.isEmpty || memcmp(base + 5, store.baseAddress!, store.count) == 0)
                        && key[5 + store.count] == UInt8(ascii: ".")
                        && (terminal.isEmpty || memcmp(base + 6 + store.count, terminal.baseAddress!, terminal.count) == 0)
                }
            }
        }
    }

    /// Whether every byte of `text` passes `test`, over its contiguous UTF-8 (iterating `utf8` is slower).
    private static func allBytes(of text: String, _ test: (UInt8) -> Bool) -> Bool {
        text.withUTF8Bytes { bytes in
            for byte in bytes where !test(byte) { return false }
            return true
        }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
    }

    private static func isJSONWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

}

/// What the validator learns of a sale's lines and payments as the parser reads them.
package struct PartsTally: SaleVisitor {
    package let limits: SaleLimits
    package let now: Date
    package var lines = LineTally()
    package var payments = PaymentTally()
    /// The sale's id, when it is a UUID; its text is kept only when it is not, for the reason.
    private(set) var saleUUID: UUID?
    private(set) var saleIdText: String?
    /// When the sale happened, when that is an ISO 8601 date-time; its text is kept only when it is not, or when it
    /// lies too far in the future, for the reason.
    private(set) var occurredAt: Date?
    private(set) var occurredAtText: String?

    /// Id and time are read where they lie: text is made for neither (terminals send both as they should).
    package var takesIdAndTime: Bool { true }

    package mutating func visit(saleId: TextView) {
        saleUUID = saleId.withUTF8(UUIDText.parse)
        saleIdText = saleUUID == nil ? saleId.string : nil
    }

    package mutating func visit(occurredAt text: TextView) {
        occurredAt = text.withUTF8(ISO8601Timestamp.parse)
        let outsideWindow = occurredAt.map { $0.timeIntervalSince(now) > limits.futureTolerance || now.timeIntervalSince($0) > limits.pastTolerance } ?? true
        occurredAtText = outsideWindow ? text.string : nil
    }

    package mutating func visit(_ line: LineView, at index: Int) { lines.add(line, at: index, limits: limits) }
    package mutating func visit(_ payment: PaymentView, at index: Int) { payments.add(payment, at: index, limits: limits) }
}

/// What the validator learns of a sale's lines as the parser reads them (none is kept): how many, how many
/// negative, their total, and the first rule a line breaks, raised in its turn among the sale's rules.
package struct LineTally {
    private(set) var count = 0
    private(set) var negative = 0
    private var sum: Int64 = 0
    private var violation: SaleViolation?

    package mutating func add(_ line: LineView, at index: Int, limits: SaleLimits) {
        count += 1
        if line.quantity < 0 { negative += 1 }
        guard violation == nil else { return }
        do {
            sum += try Self.amount(of: line, at: index, limits: limits)
        } catch {
            violation = error
        }
    }

    /// Σ (quantity × unitPrice − discount), once the lines' own rules hold.
    package func total(limits: SaleLimits) throws -> Int64 {
        guard count > 0 else { throw SaleViolation("sale.no_lines", "a sale needs at least one line") }
        guard count <= limits.maximumLines else {
            throw SaleViolation("sale.too_many_lines", "\(count) lines is over the limit of \(limits.maximumLines)")
        }
        if let violation { throw violation }
        return sum
    }

    private static func amount(of line: LineView, at index: Int, limits: SaleLimits) throws(SaleViolation) -> Int64 {
        var field: String { "lines[\(index)]" }
        guard !line.sku.isEmpty, line.sku.fits(limits.maximumIdentifierLength) else {
            throw SaleViolation("sale.invalid_sku", "\(field).sku is empty or longer than \(limits.maximumIdentifierLength) characters")
        }
        guard !line.description.isEmpty, line.description.fits(limits.maximumTextLength) else {
            throw SaleViolation(
                "sale.invalid_description", "\(field).description is empty or longer than \(limits.maximumTextLength) characters")
        }
        // Two plain checks, not a loop over a literal: this runs for every line of every sale, and the list was allocated.
        if let control = line.sku.controlCharacter ?? line.description.controlCharacter {
            let name = line.sku.controlCharacter != nil ? "sku" : "description"
            throw SaleViolation("sale.control_character", "\(field).\(name) holds the control character \(SaleContract.name(control))")
        }
        guard line.quantity != 0, line.quantity.magnitude <= limits.maximumQuantity.magnitude else {
            throw SaleViolation("sale.invalid_quantity", "\(field).quantity \(line.quantity) is zero or beyond ±\(limits.maximumQuantity)")
        }
        guard (0...limits.maximumUnitPrice).contains(line.unitPrice) else {
            throw SaleViolation(
                "sale.invalid_unit_price", "\(field).unitPrice \(line.unitPrice) is not between 0 and \(limits.maximumUnitPrice) cents")
        }
        guard limits.taxRates.contains(line.taxRate) else {
            throw SaleViolation(
                "sale.invalid_tax_rate",
                "\(field).taxRate \(line.taxRate) is not one of \(limits.taxRates.sorted().map(String.init).joined(separator: ", "))")
        }
        let gross = line.quantity * line.unitPrice  // bounded by the limits above: no overflow
        // The discount has the line's sign (a return line gives back the discount the sale took) and never exceeds
        // the line, so that total = Σ (quantity × unitPrice − discount) holds for sales and returns.
        guard line.discount == 0 || (line.discount > 0) == (gross > 0), line.discount.magnitude <= gross.magnitude else {
            throw SaleViolation("sale.invalid_discount", "\(field).discount \(line.discount) is of the wrong sign or more than the line's \(gross)")
        }
        return gross - line.discount
    }
}

/// What the validator learns of a sale's payments as the parser reads them (none is kept): enough to tell that all
/// of them keep the rules, which they nearly always do. When one does not, the validator reads them again in full to
/// name the first that breaks a rule (``SaleValidator/checkPayments(_:total:customerTaxId:)``).
package struct PaymentTally {
    private var summary = PaymentSummary()

    package mutating func add(_ payment: PaymentView, at index: Int, limits: SaleLimits) {
        summary.add(
            amount: payment.amount, methodIsKnown: limits.paymentMethods.contains(where: payment.method.isEqual(to:)),
            isDeferred: payment.method.isEqual(to: "deferred"))
    }

    package func keepsEveryRule(total: Int64, customerTaxId: String?, limits: SaleLimits) -> Bool {
        summary.brokenRule(total: total, customerTaxId: customerTaxId, limits: limits) == nil
    }
}
