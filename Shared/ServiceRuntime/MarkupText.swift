import ByteText

/// Text put inside XML or HTML, element content or an attribute's quotes alike: `&`, `<`, `>`, `"` and `'` written
/// as entities, everything else as it is (VERI*FACTU records, printable tickets and Z reports).
package enum MarkupText {
    package static func escaped(_ value: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(value.utf8.count + 16)
        append(value, escapedTo: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `value`'s UTF-8 bytes escaped, copying the runs between the five characters in one go.
    package static func append(_ value: String, escapedTo bytes: inout [UInt8]) {
        value.withUTF8Bytes { utf8 in
            var runStart = 0
            for index in 0..<utf8.count {
                let entity: StaticString
                switch utf8[index] {
                case 0x26: entity = "&amp;"
                case 0x3C: entity = "&lt;"
                case 0x3E: entity = "&gt;"
                case 0x22: entity = "&quot;"
                case 0x27: entity = "&apos;"
                default: continue
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                bytes.append(contentsOf: UnsafeBufferPointer(start: entity.utf8Start, count: entity.utf8CodeUnitCount))
                runStart = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
        }
    }
}
