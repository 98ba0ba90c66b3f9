import CQRencode
import CZlib

/// The ticket's QR code (ISO/IEC 18004, error correction M) as libqrencode makes it, drawn as SVG or PNG at 37 mm
/// square with the standard's quiet zone of four modules: the tax agency asks for 30–40 mm, and a validation URL's
/// symbol (41–57 modules) is 31–32.5 mm of it, so that the code measures 30–40 mm with its quiet zone or without.
struct QRCode: Sendable {
    /// Modules per side, without the quiet zone.
    let width: Int
    /// Row by row, true for a dark module.
    let modules: [Bool]

    static let quietZone = 4
    static let millimetres = 37

    init?(_ text: String) {
        guard let code = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M) else { return nil }
        defer { QRcode_free(code) }
        width = Int(code.pointee.width)
        modules = (0..<(width * width)).map { code.pointee.data[$0] & 1 == 1 }
    }

    private var side: Int { width + 2 * Self.quietZone }

    private func isDark(_ x: Int, _ y: Int) -> Bool {
        let (column, row) = (x - Self.quietZone, y - Self.quietZone)
        guard (0..<width).contains(column), (0..<width).contains(row) else { return false }
        return modules[row * width + column]
    }

    /// One path of unit squares, sized in millimetres for print.
    var svg: String {
        var path = ""
        for y in 0..<side {
            for x in 0..<side where isDark(x, y) { path += "M\(x) \(y)h1v1h-1z" }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(side) \(side)" width="\(Self.millimetres)mm" height="\(Self.millimetres)mm" \
            shape-rendering="crispEdges"><rect width="\(side)" height="\(side)" fill="#fff"/><path d="\(path)" fill="#000"/></svg>
            """
    }

    /// An 8-bit greyscale PNG, `scale` pixels a module, whose physical size (pHYs) is 37 mm.
    func png(scale: Int = 8) -> [UInt8] {
        let pixels = side * scale
        var raw: [UInt8] = []
        raw.reserveCapacity((pixels + 1) * pixels)
        for y in 0..<pixels {
            raw.append(0)  // filter: none
            for x in 0..<pixels { raw.append(isDark(x / scale, y / scale) ? 0 : 255) }
        }
        var compressedSize = compressBound(uLong(raw.count))
        var compressed = [UInt8](repeating: 0, count: Int(compressedSize))
        _ = compress2(&compressed, &compressedSize, raw, uLong(raw.count), Z_BEST_COMPRESSION)
        compressed.removeLast(compressed.count - Int(compressedSize))
        let pixelsPerMetre = UInt32(pixels * 1000 / Self.millimetres)
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png += Self.chunk("IHDR", Self.bigEndian(UInt32(pixels)) + Self.bigEndian(UInt32(pixels)) + [8, 0, 0, 0, 0])
        png += Self.chunk("pHYs", Self.bigEndian(pixelsPerMetre) + Self.bigEndian(pixelsPerMetre) + [1])
        png += Self.chunk("IDAT", compressed)
        png += Self.chunk("IEND", [])
        return png
    }

    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + data
        let checksum = UInt32(crc32(0, typed, uInt(typed.count)))
        return bigEndian(UInt32(data.count)) + typed + bigEndian(checksum)
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }
}
