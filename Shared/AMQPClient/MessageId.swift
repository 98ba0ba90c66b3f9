import ByteText

/// Random message ids: UUIDs of version 4, as lower-case text. Foundation's `UUID()` opens, reads and closes
/// `/dev/urandom` for each one on Linux; this takes two numbers from the system generator (one system call each).
package enum MessageId {
    package static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() & ~0xF000 | 0x4000  // version 4
        let low = generator.next() & ~(0b11 << 62) | 0b10 << 62  // variant 1 (RFC 9562)
        return UUIDText.uuid(high: high, low: low).lowercasedText
    }
}
