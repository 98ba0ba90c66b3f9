import Foundation
import Testing

@testable import PostgresClient

/// The COPY encoders, byte for byte, without a server: what PostgreSQL would read is exactly what is asserted here.
@Suite("COPY rows, text and binary")
struct CopyRowsTests {
    @Test("text rows: fields tab-separated, rows ended by newlines, null as \\N, the framing characters escaped and nothing else")
    func textRows() {
        var rows = CopyRows()
        rows.append("plain")
        rows.append("tab\there, line\nthere, cr\rand back\\slash, ñandú ☕")
        rows.append(nil as String?)
        rows.endRow()
        rows.append(utf8: Array("a\tb".utf8))
        rows.append(Int64(0))
        rows.endRow()
        #expect(String(decoding: rows.bytes, as: UTF8.self) == "plain\ttab\\there, line\\nthere, cr\\rand back\\\\slash, ñandú ☕\t\\N\na\\tb\t0\n")
        #expect(rows.rowCount == 2)
    }

    @Test("numbers as text: zero, signs, and the extremes of Int64", arguments: [
        (Int64(0), "0"), (7, "7"), (-7, "-7"), (1_234_567_890, "1234567890"), (Int64.max, "9223372036854775807"),
        (Int64.min, "-9223372036854775808"),
    ])
    func numbers(value: Int64, text: String) {
        var rows = CopyRows()
        rows.append(value)
        #expect(String(decoding: rows.bytes, as: UTF8.self) == text)
    }

    @Test("text arrays: each value quoted, quotes and backslashes escaped, in order; a set sorted")
    func textArrays() {
        #expect(PostgresArrays.text([String]()) == "{}")
        #expect(PostgresArrays.text(["a", #"b"c"#, #"d\e"#, "", "ñ,{x}"]) == #"{"a","b\"c","d\\e","","ñ,{x}"}"#)
        #expect(PostgresArrays.text(Set(["b", "a"])) == #"{"a","b"}"#)
        #expect(PostgresArrays.bigint([1, -2]) == "{1,-2}")
    }

    @Test("binary dates: days since 2000-01-01 across leap years, centuries and eras, as PostgreSQL counts them", arguments: [
        (2000, 1, 1, 0), (1999, 12, 31, -1), (2000, 3, 1, 60), (2026, 12, 1, 9_831), (1970, 1, 1, -10_957), (2100, 2, 28, 36_583),
        (2100, 3, 1, 36_584), (1600, 2, 29, -146_038), (2400, 12, 31, 146_462), (1, 1, 1, -730_119),
    ])
    func binaryDates(year: Int, month: Int, day: Int, days: Int) {
        #expect(BinaryCopyRows.daysSince2000(year: year, month: month, day: day) == days)
        var rows = BinaryCopyRows()
        let start = rows.bytes.count
        rows.append(dateYear: year, month: month, day: day)
        #expect(Array(rows.bytes[start...]) == [0, 0, 0, 4] + withUnsafeBytes(of: Int32(days).bigEndian, Array.init))
    }

    @Test("binary rows: the header, each row's field count, lengths in network order, null as −1, the trailer once")
    func binaryRows() {
        var rows = BinaryCopyRows()
        let header: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + [0, 0, 0, 0] + [0, 0, 0, 0]
        #expect(rows.bytes == header)
        rows.startRow(fields: 4)
        rows.append(text: "ab")
        rows.append(bigint: -2)
        rows.append(uuid: UUID(uuidString: "00112233-4455-6677-8899-AABBCCDDEEFF")!)
        rows.append(text: nil)
        rows.finish()
        rows.finish()
        let row = Array(rows.bytes.dropFirst(header.count))
        let expected: [UInt8] = [0, 4] + [0, 0, 0, 2, 0x61, 0x62] + [0, 0, 0, 8, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE]
            + [0, 0, 0, 16] + (0..<16).map { UInt8($0) * 0x11 } + [0xFF, 0xFF, 0xFF, 0xFF] + [0xFF, 0xFF]
        #expect(row == expected)
        #expect(rows.rowCount == 1 && rows.isComplete)
    }

    @Test("a timestamp is microseconds since 2000-01-01 UTC, big-endian")
    func timestamp() {
        var rows = BinaryCopyRows()
        rows.append(timestampMicrosecondsSince2000: 1)
        #expect(Array(rows.bytes.suffix(12)) == [0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 1])
    }
}
