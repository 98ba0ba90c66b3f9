import Foundation

/// UUIDs as text (`8-4-4-4-12` hexadecimal digits), written in lower case straight into bytes and read in either case
/// straight from bytes: Foundation's `uuidString` is upper case (lowering it makes a second string), and its parser
/// is a `sscanf`, too slow for every sale.
package enum UUIDText {
    package static let count = 36

    /// Writes the UUID whose bytes are `high` then `low` (each big-endian) to the first 36 bytes of `text`.
    package static func write(high: UInt64, low: UInt64, to text: UnsafeMutableBufferPointer<UInt8>) {
        precondition(text.count >= count)
        HexDigits.write(high >> 32, count: 8, to: text, at: 0)
        HexDigits.write(high >> 16, count: 4, to: text, at: 9)
        HexDigits.write(high, count: 4, to: text, at: 14)
        HexDigits.write(low >> 48, count: 4, to: text, at: 19)
        HexDigits.write(low, count: 12, to: text, at: 24)
        for dash in [8, 13, 18, 23] { text[dash] = UInt8(ascii: "-") }
    }

    /// The UUID written in `text`, either case; nil for anything else.
    package static func parse(_ text: String) -> UUID? {
        text.withUTF8Bytes(parse)
    }

    package static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> UUID? {
        guard bytes.count == count else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        var digits = 0
        for offset in 0..<count {
            let byte = bytes[offset]
            if offset == 8 || offset == 13 || offset == 18 || offset == 23 {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            let nibble = HexDigits.nibble(byte)
            guard nibble < 16 else { return nil }
            if digits < 16 { high = high << 4 | UInt64(nibble) } else { low = low << 4 | UInt64(nibble) }
            digits += 1
        }
        return uuid(high: high, low: low)
    }

    /// The UUID whose bytes are `high` then `low` (each big-endian).
    package static func uuid(high: UInt64, low: UInt64) -> UUID {
        withUnsafeBytes(of: (high.bigEndian, low.bigEndian)) { UUID(uuid: $0.loadUnaligned(as: uuid_t.self)) }
    }
}

extension UUID {
    /// This UUID as lower-case text.
    package var lowercasedText: String {
        let (high, low) = halves
        return String(unsafeUninitializedCapacity: UUIDText.count) { text in
            UUIDText.write(high: high, low: low, to: text)
            return UUIDText.count
        }
    }

    /// Appends this UUID as lower-case text.
    package func appendLowercasedText(to bytes: inout [UInt8]) {
        let (high, low) = halves
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: UUIDText.count))
        bytes.withUnsafeMutableBufferPointer { buffer in
            UUIDText.write(high: high, low: low, to: UnsafeMutableBufferPointer(rebasing: buffer[start..<(start + UUIDText.count)]))
        }
    }

    /// The first and last eight bytes, each read big-endian.
    private var halves: (UInt64, UInt64) {
        withUnsafeBytes(of: uuid) {
            (UInt64(bigEndian: $0.loadUnaligned(as: UInt64.self)), UInt64(bigEndian: $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        }
    }
}
