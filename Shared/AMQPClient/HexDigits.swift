/// Hexadecimal digits, written in lower case and read in either: trace contexts and UUIDs as text.
enum HexDigits {
    /// Writes the lowest `count` digits of `value`, the most significant first, from `position` on in `text`.
    static func write(_ value: UInt64, count: Int, to text: UnsafeMutableBufferPointer<UInt8>, at position: Int) {
        var value = value
        for offset in (position..<(position + count)).reversed() {
            let digit = UInt8(truncatingIfNeeded: value & 0xF)
            text[offset] = digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10
            value >>= 4
        }
    }

    /// The value of one digit, either case; nil for any other byte.
    static func value(_ byte: UInt8) -> UInt8? {
        let digit = byte &- 0x30
        if digit < 10 { return digit }
        let letter = (byte | 0x20) &- 0x61  // a–f in either case (0x20 is the case bit)
        return letter < 6 ? letter &+ 10 : nil
    }
}
