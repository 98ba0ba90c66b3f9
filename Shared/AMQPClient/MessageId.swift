/// Random message ids: UUIDs of version 4, as lower-case text. Foundation's `UUID()` opens, reads and closes
/// `/dev/urandom` for each one on Linux; this takes two numbers from the system generator (one system call each)
/// and writes the text once.
public enum MessageId {
    public static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() & ~0xF000 | 0x4000  // version 4
        let low = generator.next() & ~(0b11 << 62) | 0b10 << 62  // variant 1 (RFC 9562)
        return String(unsafeUninitializedCapacity: 36) { text in
            var position = 0
            func write(_ value: UInt64, digits: Int) {
                for shift in stride(from: (digits - 1) * 4, through: 0, by: -4) {
                    let digit = UInt8(truncatingIfNeeded: value >> UInt64(shift) & 0xF)
                    text[position] = digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10
                    position += 1
                }
            }
            func dash() {
                text[position] = UInt8(ascii: "-")
                position += 1
            }
            write(high >> 32, digits: 8)
            dash()
            write(high >> 16, digits: 4)
            dash()
            write(high, digits: 4)
            dash()
            write(low >> 48, digits: 4)
            dash()
            write(low, digits: 12)
            return position
        }
    }
}
