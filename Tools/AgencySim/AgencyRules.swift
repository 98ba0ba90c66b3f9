import XMLTree

/// The business rules the agency checks on an alta record's content (not its place in the chain).
struct AgencyRules: Sendable {
    /// Recipient NIFs the census does not know.
    var unknownTaxIds: Set<String> = []

    func check(_ record: SubmittedRecord) -> AgencyFault? {
        let alta = record.tree
        let recipients = alta.child("Destinatarios")?.children("IDDestinatario") ?? []
        switch record.kind {
        case "F1", "F3", "R1":
            if recipients.isEmpty && alta.text("FacturaSinIdentifDestinatarioArt61d")?.trimmingWhitespace != "S" && record.kind != "R1" {
                return .recipientMissing
            }
        case "F2", "R5":
            if !recipients.isEmpty { return .recipientNotAllowed }
        default: break
        }
        if record.kind.hasPrefix("R") {
            if alta.child("TipoRectificativa") == nil || (alta.child("FacturasRectificadas")?.children("IDFacturaRectificada").isEmpty ?? true) {
                return .correctedInvoiceMissing
            }
        }
        if record.kind == "F3", alta.child("FacturasSustituidas")?.children("IDFacturaSustituida").isEmpty ?? true {
            return .substitutedInvoiceMissing
        }
        for recipient in recipients {
            guard let taxId = recipient.text("NIF")?.trimmingWhitespace else { continue }
            if !SpanishNIF.checks(taxId) { return .recipientTaxId }
            if unknownTaxIds.contains(taxId) { return .recipientUnknown }
        }
        return amountsAddUp(alta, record) ? nil : .amounts
    }

    /// Each rate's tax is its base at its rate within a cent (and so is the surcharge); `CuotaTotal` is the sum of
    /// taxes and surcharges, and `ImporteTotal` that plus the bases, exactly.
    private func amountsAddUp(_ alta: XMLTree, _ record: SubmittedRecord) -> Bool {
        guard let totalTax = Cents.parse(record.totalTax), let total = Cents.parse(record.totalAmount) else { return false }
        var taxes: Int64 = 0
        var bases: Int64 = 0
        for line in alta.child("Desglose")?.children("DetalleDesglose") ?? [] {
            guard let base = Cents.parse(line.text("BaseImponibleOimporteNoSujeto") ?? "") else { return false }
            bases += base
            if let rateText = line.text("TipoImpositivo") {
                guard let rate = Cents.parse(rateText), let tax = Cents.parse(line.text("CuotaRepercutida") ?? "") else { return false }
                if abs(tax - Cents.percentage(of: base, rateInHundredths: rate)) > 1 { return false }
                taxes += tax
            }
            if let surchargeText = line.text("TipoRecargoEquivalencia") {
                guard let rate = Cents.parse(surchargeText), let surcharge = Cents.parse(line.text("CuotaRecargoEquivalencia") ?? "") else { return false }
                if abs(surcharge - Cents.percentage(of: base, rateInHundredths: rate)) > 1 { return false }
                taxes += surcharge
            }
        }
        return taxes == totalTax && bases + taxes == total
    }
}

/// Decimal amounts read as whole hundredths, without floating point: "12.35" is 1235, "-3" is -300, "5.2" is 520.
enum Cents {
    static func parse(_ text: String) -> Int64? {
        var digits = Substring(text.trimmingWhitespace)
        var negative = false
        if digits.first == "-" {
            negative = true
            digits.removeFirst()
        }
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts[0].count <= 12, parts[0].allSatisfy(\.isASCIIDigit) else { return nil }
        let fraction = parts.count == 2 ? parts[1] : ""
        guard fraction.count <= 2, fraction.allSatisfy(\.isASCIIDigit) else { return nil }
        let padded = fraction + String(repeating: "0", count: 2 - fraction.count)
        guard let whole = Int64(parts[0]), let hundredths = Int64(padded) else { return nil }
        let value = whole * 100 + hundredths
        return negative ? -value : value
    }

    /// `amount × rate / 100`, both in hundredths, rounded half away from zero.
    static func percentage(of amount: Int64, rateInHundredths rate: Int64) -> Int64 {
        let product = amount * rate
        let (quotient, remainder) = product.quotientAndRemainder(dividingBy: 10_000)
        if abs(remainder) * 2 >= 10_000 { return quotient + (product < 0 ? -1 : 1) }
        return quotient
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

/// The control character of a Spanish NIF (DNI, NIE and the letters of companies), as the agency checks it.
enum SpanishNIF {
    private static let personLetters = Array("TRWAGMYFPDXBNJZSQVHLCKE")

    static func checks(_ text: String) -> Bool {
        let characters = Array(text.uppercased())
        guard characters.count == 9 else { return false }
        let body = characters[1..<8]
        guard body.allSatisfy(\.isASCIIDigit) else { return false }
        let first = characters[0]
        let last = characters[8]
        if first.isASCIIDigit || "XYZ".contains(first) {
            let lead = first.isASCIIDigit ? String(first) : String("XYZ".firstIndex(of: first).map { "XYZ".distance(from: "XYZ".startIndex, to: $0) } ?? 0)
            guard let number = Int(lead + String(body)) else { return false }
            return personLetters[number % 23] == last
        }
        guard "ABCDEFGHJNPQRSUVW".contains(first) else { return false }
        var sum = 0
        for (index, digit) in body.enumerated() {
            let value = Int(String(digit))!
            if index % 2 == 0 {
                let doubled = value * 2
                sum += doubled / 10 + doubled % 10
            } else {
                sum += value
            }
        }
        let control = (10 - sum % 10) % 10
        let letter = Array("JABCDEFGHI")[control]
        if "PQRSNW".contains(first) { return last == letter }
        if "ABEH".contains(first) { return last == Character(String(control)) }
        return last == letter || last == Character(String(control))
    }
}
