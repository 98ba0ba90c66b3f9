import Contracts

/// VAT rates and equivalence-surcharge rates, in basis points (hundredths of a percent: 21 % is 2100, 5.2 % is 520),
/// so that 5.2 % needs no floating point. Configuration: the defaults are Spain's.
struct TaxRates: Sendable {
    /// VAT rate (percent, as in `pos.sale.v1`) to its equivalence surcharge in basis points.
    var surchargeBasisPoints: [Int64: Int64] = [21: 520, 10: 140, 4: 50, 0: 0]

    static let spain = TaxRates()
}

/// The tax of one rate in an invoice: base, VAT and, for customers under the equivalence surcharge, the surcharge.
struct TaxLine: Sendable, Equatable, Codable {
    /// Percent.
    var rate: Int64
    var baseCents: Int64
    var taxCents: Int64
    var surchargeBasisPoints: Int64
    var surchargeCents: Int64
    /// Tax included, as the lines add up: base + tax + surcharge.
    var grossCents: Int64
}

/// Splits tax-included lines into base and tax per rate, exact to the cent.
///
/// Per rate, `base = round(gross × 100 / (100 + rate))` and `tax = gross − base`; with the equivalence surcharge
/// `base = round(gross × 10000 / (10000 + rate bp + surcharge bp))`, `surcharge = round(base × surcharge bp / 10000)`
/// and `tax = gross − base − surcharge`. Rounding is half away from zero, so a return's breakdown is its sale's with
/// the sign turned. The parts of each rate always add up to its gross, and the rates to the invoice total.
enum TaxBreakdown {
    /// `lines` are (rate in percent, tax-included cents after discount); returns one line per rate, highest first.
    static func compute(lines: [(rate: Int64, grossCents: Int64)], equivalenceSurcharge: Bool, rates: TaxRates = .spain) -> [TaxLine] {
        var grossByRate: [Int64: Int64] = [:]
        for line in lines { grossByRate[line.rate, default: 0] += line.grossCents }
        return grossByRate.keys.sorted(by: >).map { rate in
            let gross = grossByRate[rate]!
            let surcharge = equivalenceSurcharge ? rates.surchargeBasisPoints[rate] ?? 0 : 0
            let base = Money.divideRoundingHalfAwayFromZero(gross * 10_000, by: 10_000 + rate * 100 + surcharge)
            let surchargeCents = Money.divideRoundingHalfAwayFromZero(base * surcharge, by: 10_000)
            return TaxLine(
                rate: rate, baseCents: base, taxCents: gross - base - surchargeCents, surchargeBasisPoints: surcharge,
                surchargeCents: surchargeCents, grossCents: gross)
        }
    }
}
