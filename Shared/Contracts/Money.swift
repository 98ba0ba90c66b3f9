/// Amounts in integer cents, as every Trastienda message and table holds them.
package enum Money {
    /// `12.35`, `-0.05`, `3000.00`: cents written with two decimals, as VERI*FACTU records and QR codes show them.
    package static func decimal(_ cents: Int64) -> String {
        let sign = cents < 0 ? "-" : ""
        let magnitude = cents.magnitude
        let fraction = magnitude % 100
        return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// `12,35 €`: as a Spanish receipt prints it.
    package static func euros(_ cents: Int64) -> String { String(decimal(cents).map { $0 == "." ? "," : $0 }) + " €" }

    /// `numerator / denominator` rounded to the nearest integer, halves away from zero, so that a credit note's
    /// amounts mirror its invoice's exactly.
    package static func divideRoundingHalfAwayFromZero(_ numerator: Int64, by denominator: Int64) -> Int64 {
        precondition(denominator > 0)
        let magnitude = (numerator.magnitude * 2 + denominator.magnitude) / (denominator.magnitude * 2)
        return numerator < 0 ? -Int64(magnitude) : Int64(magnitude)
    }
}
