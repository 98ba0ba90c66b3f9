/// Whole numbers as decimal text, written straight into bytes from the last digit back.
package enum DecimalDigits {
    /// Writes `value` so that its last digit is just before `end`, with at least `minimumDigits` digits (zeros in
    /// front), and returns where its first digit is. `text` must have room: 20 digits for any `UInt64`.
    @inline(__always)
    package static func write(_ value: UInt64, to text: UnsafeMutableBufferPointer<UInt8>, endingAt end: Int, minimumDigits: Int = 1) -> Int {
        var value = value
        var start = end
        repeat {
            start -= 1
            text[start] = UInt8(truncatingIfNeeded: value % 10) &+ UInt8(ascii: "0")
            value /= 10
        } while value > 0 || end - start < minimumDigits
        return start
    }
}
