import Foundation

/// An HTML page printed to PDF by headless Chromium, as a browser prints it, and read back: its text (`pdftotext`)
/// and its QR code from the page rendered to an image (`pdftoppm`, then `zbarimg`).
package struct PrintedPage {
    package let folder: URL
    package let pdf: URL
    package let text: String

    package init(html: String) async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("printed-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let page = folder.appendingPathComponent("page.html")
        try html.write(to: page, atomically: true, encoding: .utf8)
        pdf = folder.appendingPathComponent("page.pdf")
        let (status, output) = try await ExternalTool.run(
            "chromium",
            [
                "--headless", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--no-pdf-header-footer",
                "--user-data-dir=\(folder.appendingPathComponent("profile").path)", "--print-to-pdf=\(pdf.path)", page.absoluteString,
            ], missing: "chromium is missing: `make test` installs it")
        guard status == 0, FileManager.default.fileExists(atPath: pdf.path) else {
            throw InfrastructureUnavailable(description: "chromium did not print the page: \(output)")
        }
        let (_, text) = try await ExternalTool.run("pdftotext", ["-layout", pdf.path, "-"], missing: "pdftotext is missing: `make test` installs poppler-utils")
        self.text = text
    }

    package struct Symbol {
        package var text: String
        /// The QR's side on the rendered page, in pixels.
        package var sidePixels: Int
    }

    /// The first QR code on the first page rendered at `dotsPerInch`, and its size there.
    package func qrCode(dotsPerInch: Int) async throws -> Symbol {
        let prefix = folder.appendingPathComponent("page").path
        let poppler = "pdftoppm is missing: `make test` installs poppler-utils"
        _ = try await ExternalTool.run("pdftoppm", ["-r", String(dotsPerInch), "-png", "-singlefile", "-f", "1", "-l", "1", pdf.path, prefix], missing: poppler)
        _ = try await ExternalTool.run("pdftoppm", ["-r", String(dotsPerInch), "-gray", "-singlefile", "-f", "1", "-l", "1", pdf.path, prefix], missing: poppler)
        let (_, xml) = try await ExternalTool.run("zbarimg", ["--xml", "-q", prefix + ".png"], missing: "zbarimg is missing: `make test` installs zbar-tools")
        guard let dataStart = xml.range(of: "<data><![CDATA["), let dataEnd = xml.range(of: "]]></data>", range: dataStart.upperBound..<xml.endIndex) else {
            throw InfrastructureUnavailable(description: "no QR code found on the printed page: \(xml)")
        }
        let image = try GrayImage(pgm: Array(Data(contentsOf: URL(fileURLWithPath: prefix + ".pgm"))))
        guard let side = image.qrSide(dotsPerInch: dotsPerInch) else {
            throw InfrastructureUnavailable(description: "no QR finder patterns found on the rendered page")
        }
        return Symbol(text: String(xml[dataStart.upperBound..<dataEnd.lowerBound]), sidePixels: side)
    }

    package func remove() { try? FileManager.default.removeItem(at: folder) }

}

/// A page rendered as an 8-bit grey image (PGM, as `pdftoppm -gray` writes it).
struct GrayImage {
    var width: Int
    var height: Int
    var pixels: [UInt8]

    init(pgm bytes: [UInt8]) throws {
        // "P5", width, height, maximum value, each after white space, then one byte a pixel.
        var fields: [Int] = []
        var index = 2
        while fields.count < 3, index < bytes.count {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 { index += 1 }
            var value = 0
            while index < bytes.count, (0x30...0x39).contains(bytes[index]) {
                value = value * 10 + Int(bytes[index] - 0x30)
                index += 1
            }
            fields.append(value)
        }
        guard bytes.starts(with: Array("P5".utf8)), fields.count == 3 else { throw InfrastructureUnavailable(description: "not a PGM image") }
        width = fields[0]
        height = fields[1]
        pixels = Array(bytes[(index + 1)...])
        guard pixels.count >= width * height else { throw InfrastructureUnavailable(description: "a PGM image cut short") }
    }

    /// The side of the QR code in pixels: in the first row that crosses the top of the two upper finder patterns (two
    /// dark runs of the same length, each 3–10 mm long: seven modules), from the left edge of the first to the right
    /// edge of the second.
    func qrSide(dotsPerInch: Int) -> Int? {
        let shortest = dotsPerInch * 3 * 10 / 254
        let longest = dotsPerInch * 10 * 10 / 254
        for row in 0..<height {
            var runs: [(start: Int, length: Int)] = []
            var column = 0
            while column < width {
                guard pixels[row * width + column] < 128 else {
                    column += 1
                    continue
                }
                let start = column
                while column < width, pixels[row * width + column] < 128 { column += 1 }
                let length = column - start
                if (shortest...longest).contains(length) { runs.append((start, length)) }
            }
            if runs.count >= 2, let first = runs.first, let last = runs.last, abs(first.length - last.length) <= 3 {
                return last.start + last.length - first.start
            }
        }
        return nil
    }
}
