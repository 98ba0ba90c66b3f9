/// Hexadecimal digits, read in either case and written in lower case (trace contexts, UUIDs, JSON's `\u` escapes) or
/// upper (VERI*FACTU's fingerprints, percent-encoding).
package enum HexDigits {
    /// The digit of `nibble` (0 to 15).
    @inline(__always)
    package static func digit(_ nibble: UInt8, upperCase: Bool = false) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") &+ nibble : (upperCase ? UInt8(ascii: "A") : UInt8(ascii: "a")) &+ nibble &- 10
    }

    /// Writes the lowest `count` digits of `value`, the most significant first, from `position` on in `text`.
    package static func write(_ value: UInt64, count: Int, to text: UnsafeMutableBufferPointer<UInt8>, at position: Int) {
        var value = value
        for offset in (position..<(position + count)).reversed() {
            text[offset] = digit(UInt8(truncatingIfNeeded: value & 0xF))
            value >>= 4
        }
    }

    /// The value of one digit, either case, or 16 and above for any other byte: a switch over the three ranges,
    /// with no optional to unwrap (it takes half the time of one, for every UUID of every sale).
    @inline(__always)
    package static func nibble(_ byte: UInt8) -> UInt8 {
        switch byte {
        case 0x30...0x39: byte &- 0x30
        case 0x41...0x46: byte &- 0x41 &+ 10
        case 0x61...0x66: byte &- 0x61 &+ 10
        default: 0xFF
        }
    }

    /// Whether all eight bytes of `word` are hex digits, either case, each byte tested in its own lane at once (the
    /// sums below never carry into the next byte, since every byte is first checked to be below 0x80).
    package static func allHex(_ word: UInt64) -> Bool {
        let lanes: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        guard word & highs == 0 else { return false }
        // High bit of each lane set when the byte is at least `low`, or below `high` (for bytes under 0x80).
        func atLeast(_ value: UInt64, _ low: UInt8) -> UInt64 { (value &+ lanes &* UInt64(0x80 - low)) & highs }
        func below(_ value: UInt64, _ high: UInt8) -> UInt64 { ~(value &+ lanes &* UInt64(0x80 - high)) & highs }
        let digit = atLeast(word, 0x30) & below(word, 0x3A)
        let lower = word | lanes &* 0x20
        let letter = atLeast(lower, 0x61) & below(lower, 0x67)
        return digit | letter == highs
    }
}
