/// `billing.invoice.issued.v1` and `billing.credit_note.issued.v1`: an invoice or credit note as issued, on exchange
/// `billing.events` with routing key `invoice.issued.<store>.<terminal>` or `credit_note.issued.<store>.<terminal>`.
/// It carries the whole document, so an integrator needs nothing else to book it.
package struct InvoiceIssuedV1: Codable, Sendable, Equatable {
    package static let invoiceType = "billing.invoice.issued.v1"
    package static let creditNoteType = "billing.credit_note.issued.v1"

    package struct Line: Codable, Sendable, Equatable {
        package var sku: String
        package var description: String
        package var quantity: Int64
        package var unitPriceCents: Int64
        package var taxRate: Int64
        package var discountCents: Int64
        package var grossCents: Int64
        package init(sku: String, description: String, quantity: Int64, unitPriceCents: Int64, taxRate: Int64, discountCents: Int64, grossCents: Int64) {
            self.sku = sku
            self.description = description
            self.quantity = quantity
            self.unitPriceCents = unitPriceCents
            self.taxRate = taxRate
            self.discountCents = discountCents
            self.grossCents = grossCents
        }
    }

    package struct Tax: Codable, Sendable, Equatable {
        package var rate: Int64
        package var baseCents: Int64
        package var taxCents: Int64
        package var surchargeBasisPoints: Int64
        package var surchargeCents: Int64
        package init(rate: Int64, baseCents: Int64, taxCents: Int64, surchargeBasisPoints: Int64, surchargeCents: Int64) {
            self.rate = rate
            self.baseCents = baseCents
            self.taxCents = taxCents
            self.surchargeBasisPoints = surchargeBasisPoints
            self.surchargeCents = surchargeCents
        }
    }

    /// `F1`, `F2`, `F3`, `R1` or `R5`.
    package var kind: String
    /// `<series>/<number>`, for example `S001-2026/42`.
    package var number: String
    package var series: String
    package var sequence: Int64
    /// `yyyy-mm-dd`.
    package var issueDate: String
    package var saleId: String
    package var storeId: String
    package var terminalId: String
    package var issuer: Party
    package var customer: Party?
    package var lines: [Line]
    package var taxes: [Tax]
    package var totalBaseCents: Int64
    package var totalTaxCents: Int64
    package var totalSurchargeCents: Int64
    package var totalCents: Int64
    /// The invoice a credit note corrects (`<series>/<number>`).
    package var corrects: String?
    /// The simplified invoice an F3 substitutes (`<series>/<number>`).
    package var substitutes: String?
    package var fingerprint: String
    package var previousFingerprint: String
    package var generatedAt: String
    package var qrURL: String
    /// How the sale was paid, as the till said (`deferred`: on account, which collections follows up). Absent from
    /// documents issued before it was added.
    package var payments: [Payment]?
    /// The till's receipt number, the moment of the sale (ISO 8601 with the till's offset) and its till session, as
    /// the terminal sent them: what a till's Z report is made from. Absent from documents not issued from a till sale
    /// (an F3 substituting a ticket) and from those issued before they were added; `tillSessionId` also when the
    /// terminal did not send one.
    package var receiptNumber: Int64?
    package var occurredAt: String?
    package var tillSessionId: String?

    package struct Payment: Codable, Sendable, Equatable {
        package var method: String
        package var amountCents: Int64
        package init(method: String, amountCents: Int64) {
            self.method = method
            self.amountCents = amountCents
        }
    }

    /// What is on account (the deferred payments), in cents; negative on a credit note.
    package var deferredCents: Int64 {
        (payments ?? []).filter { $0.method == "deferred" }.reduce(0) { $0 + $1.amountCents }
    }

    package init(
        kind: String, number: String, series: String, sequence: Int64, issueDate: String, saleId: String, storeId: String,
        terminalId: String, issuer: Party, customer: Party?, lines: [Line], taxes: [Tax], totalBaseCents: Int64,
        totalTaxCents: Int64, totalSurchargeCents: Int64, totalCents: Int64, corrects: String?, fingerprint: String,
        previousFingerprint: String, generatedAt: String, qrURL: String, payments: [Payment]? = nil, substitutes: String? = nil,
        receiptNumber: Int64? = nil, occurredAt: String? = nil, tillSessionId: String? = nil
    ) {
        self.payments = payments
        self.receiptNumber = receiptNumber
        self.occurredAt = occurredAt
        self.tillSessionId = tillSessionId
        self.substitutes = substitutes
        self.kind = kind
        self.number = number
        self.series = series
        self.sequence = sequence
        self.issueDate = issueDate
        self.saleId = saleId
        self.storeId = storeId
        self.terminalId = terminalId
        self.issuer = issuer
        self.customer = customer
        self.lines = lines
        self.taxes = taxes
        self.totalBaseCents = totalBaseCents
        self.totalTaxCents = totalTaxCents
        self.totalSurchargeCents = totalSurchargeCents
        self.totalCents = totalCents
        self.corrects = corrects
        self.fingerprint = fingerprint
        self.previousFingerprint = previousFingerprint
        self.generatedAt = generatedAt
        self.qrURL = qrURL
    }

    /// `invoice.issued.<store>.<terminal>` or `credit_note.issued.<store>.<terminal>`.
    package var routingKey: String {
        (kind.hasPrefix("R") ? "credit_note.issued." : "invoice.issued.") + "\(storeId).\(terminalId)"
    }
}

extension InvoiceIssuedV1 {
    /// The document as JSON, written field by field (see ``JSONWriter``); `JSONDecoder` reads it back as it was.
    package func json() -> [UInt8] {
        var writer = JSONWriter(reservingBytes: 1_024 + lines.count * 160)
        writer.object { json in
            json.field("kind", kind)
            json.field("number", number)
            json.field("series", series)
            json.field("sequence", sequence)
            json.field("issueDate", issueDate)
            json.field("saleId", saleId)
            json.field("storeId", storeId)
            json.field("terminalId", terminalId)
            json.field("issuer", object: issuer.write)
            if let customer { json.field("customer", object: customer.write) }
            json.field("lines", array: lines) { json, line in
                json.object { json in
                    json.field("sku", line.sku)
                    json.field("description", line.description)
                    json.field("quantity", line.quantity)
                    json.field("unitPriceCents", line.unitPriceCents)
                    json.field("taxRate", line.taxRate)
                    json.field("discountCents", line.discountCents)
                    json.field("grossCents", line.grossCents)
                }
            }
            json.field("taxes", array: taxes) { json, tax in
                json.object { json in
                    json.field("rate", tax.rate)
                    json.field("baseCents", tax.baseCents)
                    json.field("taxCents", tax.taxCents)
                    json.field("surchargeBasisPoints", tax.surchargeBasisPoints)
                    json.field("surchargeCents", tax.surchargeCents)
                }
            }
            json.field("totalBaseCents", totalBaseCents)
            json.field("totalTaxCents", totalTaxCents)
            json.field("totalSurchargeCents", totalSurchargeCents)
            json.field("totalCents", totalCents)
            json.field("corrects", corrects)
            if let substitutes { json.field("substitutes", substitutes) }
            json.field("fingerprint", fingerprint)
            json.field("previousFingerprint", previousFingerprint)
            json.field("generatedAt", generatedAt)
            json.field("qrURL", qrURL)
            if let payments {
                json.field("payments", array: payments) { json, payment in
                    json.object { json in
                        json.field("method", payment.method)
                        json.field("amountCents", payment.amountCents)
                    }
                }
            }
            if let receiptNumber { json.field("receiptNumber", receiptNumber) }
            if let occurredAt { json.field("occurredAt", occurredAt) }
            if let tillSessionId { json.field("tillSessionId", tillSessionId) }
        }
        return writer.bytes
    }
}

extension Party {
    func write(_ json: inout JSONWriter) {
        json.field("taxId", taxId)
        json.field("name", name)
        json.field("address", address)
    }
}
