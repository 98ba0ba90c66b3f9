import Foundation

/// UUIDs as lower-case text (`8-4-4-4-12` hexadecimal digits), written straight into bytes: no `String` in between
/// (Foundation's `uuidString` is upper case, and lowering it makes a second string).
public enum UUIDText {
    public static let count = 36

    /// Writes the UUID whose bytes are `high` then `low` (each big-endian) to the first 36 bytes of `text`.
    public static func write(high: UInt64, low: UInt64, to text: UnsafeMutableBufferPointer<UInt8>) {
        precondition(text.count >= count)
        var position = 0
        func digits(_ value: UInt64, _ count: Int) {
            for shift in stride(from: (count - 1) * 4, through: 0, by: -4) {
                let digit = UInt8(truncatingIfNeeded: value >> UInt64(shift) & 0xF)
                text[position] = digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10
                position += 1
            }
        }
        func dash() {
            text[position] = UInt8(ascii: "-")
            position += 1
        }
        digits(high >> 32, 8)
        dash()
        digits(high >> 16, 4)
        dash()
        digits(high, 4)
        dash()
        digits(low >> 48, 4)
        dash()
        digits(low, 12)
    }
}

extension UUID {
    /// Appends this UUID as lower-case text.
    public func appendLowercasedText(to bytes: inout [UInt8]) {
        let (high, low) = withUnsafeBytes(of: uuid) { ($0.loadUnaligned(as: UInt64.self), $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self)) }
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: UUIDText.count))
        bytes.withUnsafeMutableBufferPointer { buffer in
            UUIDText.write(
                high: UInt64(bigEndian: high), low: UInt64(bigEndian: low),
                to: UnsafeMutableBufferPointer(rebasing: buffer[start..<(start + UUIDText.count)]))
        }
    }
}
