import ByteText

/// Amounts in integer cents, as every Trastienda message and table holds them.
package enum Money {
    /// `12.35`, `-0.05`, `3000.00`: cents written with two decimals, as VERI*FACTU records and QR codes show them.
    /// Written from the last digit into bytes on the stack (every invoice writes several: its record, its QR).
    package static func decimal(_ cents: Int64) -> String {
        // A sign, at most 18 digits of euros, the point and two: 22 bytes.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 22) { text in
            var start = DecimalDigits.write(cents.magnitude % 100, to: text, endingAt: 22, minimumDigits: 2)
            start -= 1
            text[start] = UInt8(ascii: ".")
            start = DecimalDigits.write(cents.magnitude / 100, to: text, endingAt: start)
            if cents < 0 {
                start -= 1
                text[start] = UInt8(ascii: "-")
            }
            return String(decoding: UnsafeBufferPointer(rebasing: text[start...]), as: UTF8.self)
        }
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
