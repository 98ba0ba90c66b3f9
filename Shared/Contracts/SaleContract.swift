import AMQPClient
import ByteText
import Foundation

/// What every service relies on to store a sale and compute with it (documented in `docs/asyncapi.yaml`): intake
/// refuses a sale that breaks these, each with its own code, and the services downstream check them again, since
/// their input is untrusted too (``storageViolation(of:)``).
package enum SaleContract {
    package static let maximumLines = 500
    package static let maximumPayments = 20
    package static let maximumQuantity: Int64 = 10_000
    /// Cents, tax included: 100,000.00 EUR. With the quantity's limit, a line is at most 10^11 cents and a sale at
    /// most 5 × 10^13, so that sums, tax and products by 100 stay far inside Int64.
    package static let maximumUnitPrice: Int64 = 10_000_000
    package static let maximumIdentifierLength = 48
    package static let maximumTextLength = 200
    /// 2^53 − 1: the largest integer every JSON reader keeps exact.
    package static let maximumReceiptNumber: Int64 = 9_007_199_254_740_991
    /// Dates every service can store and print (2000-01-01 to 3000-01-01 UTC); intake's own window around now is far
    /// narrower.
    package static let earliestDate = Date(timeIntervalSince1970: 946_684_800)
    package static let latestDate = Date(timeIntervalSince1970: 32_503_680_000)

    /// The first character of `text` no service stores: a control character (U+0000–U+001F, U+007F, U+0080–U+009F).
    /// PostgreSQL refuses NUL in text; the others garble receipts, CSV exports and logs.
    /// Every text of every sale every consumer reads passes here: its bytes are scanned, not its scalars.
    package static func controlCharacter(in text: String) -> Unicode.Scalar? {
        text.withUTF8Bytes(controlCharacter(inUTF8:))
    }

    package static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// The first control character of UTF-8 text (see ``controlCharacter(in:)``), scanned byte by byte: C0 and DEL
    /// are single bytes, C1 is 0xC2 followed by 0x80–0x9F.
    package static func controlCharacter(inUTF8 bytes: UnsafeBufferPointer<UInt8>) -> Unicode.Scalar? {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x20 || byte == 0x7F { return Unicode.Scalar(byte) }
            if byte == 0xC2, index + 1 < bytes.count, (0x80...0x9F).contains(bytes[index + 1]) {
                return Unicode.Scalar(bytes[index + 1])
            }
            index += 1
        }
        return nil
    }

    /// How a control character is named in a reason: `U+0000`.
    package static func name(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// The first rule of storage and arithmetic that `sale` breaks, for a service that reads sales intake recorded:
    /// text without control characters, identifiers and text within their lengths, a date every service can store,
    /// and numbers within the limits that keep every sum exact. Nil when the sale can be stored and computed with.
    package static func storageViolation(of sale: POSSaleV1) -> SaleViolation? {
        // Every sale of every sale.recorded passes here: a field's name is written only for a reason.
        func text(_ value: String, _ field: @autoclosure () -> String) -> SaleViolation? {
            if let control = controlCharacter(in: value) {
                return SaleViolation("sale.control_character", "\(field()) holds the control character \(name(control))")
            }
            return value.fits(maximumTextLength) ? nil : SaleViolation("sale.text_too_long", "\(field()) is longer than \(maximumTextLength) characters")
        }
        func identifier(_ value: String, _ field: String) -> SaleViolation? {
            (1...maximumIdentifierLength).contains(value.utf8.count)
                ? nil : SaleViolation("sale.invalid_identifier", "\(field) is empty or longer than \(maximumIdentifierLength) bytes")
        }
        if let violation = text(sale.saleId, "saleId") ?? text(sale.storeId, "storeId") ?? text(sale.terminalId, "terminalId")
            ?? text(sale.cashierId, "cashierId") ?? text(sale.currency, "currency") ?? text(sale.occurredAt, "occurredAt") {
            return violation
        }
        if let customer = sale.customer,
            let violation = text(customer.taxId ?? "", "customer.taxId") ?? text(customer.name ?? "", "customer.name")
                ?? text(customer.address ?? "", "customer.address")
        {
            return violation
        }
        if let returnOf = sale.returnOf, let violation = text(returnOf.saleId, "returnOf.saleId") { return violation }
        if let session = sale.tillSessionId, let violation = text(session, "tillSessionId") ?? identifier(session, "tillSessionId") {
            return violation
        }
        for (index, line) in sale.lines.enumerated() {
            if let violation = text(line.sku, "lines[\(index)].sku") ?? text(line.description, "lines[\(index)].description") { return violation }
        }
        for (index, payment) in sale.payments.enumerated() {
            if let violation = text(payment.method, "payments[\(index)].method") { return violation }
        }
        if let violation = identifier(sale.storeId, "storeId") ?? identifier(sale.terminalId, "terminalId") ?? identifier(sale.cashierId, "cashierId") {
            return violation
        }
        guard let occurredAt = ISO8601Timestamp.parse(sale.occurredAt), occurredAt >= earliestDate, occurredAt < latestDate else {
            return SaleViolation("sale.invalid_date", "occurredAt '\(sale.occurredAt.prefix(40))' is not a date between 2000 and 2999")
        }
        guard (1...maximumReceiptNumber).contains(sale.receiptNumber) else {
            return SaleViolation("sale.invalid_receipt_number", "receiptNumber \(sale.receiptNumber) is out of range")
        }
        guard (1...maximumLines).contains(sale.lines.count), (1...maximumPayments).contains(sale.payments.count) else {
            return SaleViolation("sale.invalid_parts", "\(sale.lines.count) lines and \(sale.payments.count) payments are out of range")
        }
        let saleLimit = UInt64(maximumLines) * UInt64(maximumQuantity) * UInt64(maximumUnitPrice)
        for (index, line) in sale.lines.enumerated() {
            guard line.quantity.magnitude <= UInt64(maximumQuantity), (0...maximumUnitPrice).contains(line.unitPrice),
                (0...100).contains(line.taxRate), line.discount.magnitude <= line.quantity.magnitude * UInt64(line.unitPrice)
            else { return SaleViolation("sale.number_out_of_range", "lines[\(index)] has a quantity, price, rate or discount out of range") }
        }
        for (index, payment) in sale.payments.enumerated() where payment.amount.magnitude > saleLimit {
            return SaleViolation("sale.number_out_of_range", "payments[\(index)].amount \(payment.amount) is out of range")
        }
        guard sale.total.magnitude <= saleLimit else {
            return SaleViolation("sale.number_out_of_range", "total \(sale.total) is out of range")
        }
        return nil
    }
}

extension TextView {
    /// Its first control character (see ``SaleContract/controlCharacter(in:)``), escapes resolved.
    package var controlCharacter: Unicode.Scalar? {
        if let unescaped { return SaleContract.controlCharacter(in: unescaped) }
        return SaleContract.controlCharacter(inUTF8: raw)
    }
}

extension SaleViolation: CodedFailure, CustomStringConvertible {
    package var failureCode: String { code }
    package var description: String { "\(code): \(reason)" }
}
