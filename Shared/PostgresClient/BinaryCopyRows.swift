import ByteText
import Foundation

/// Rows in COPY's binary format, the cheapest for the server to read: no parsing of numbers, UUIDs or timestamps.
///
/// Each row starts with ``startRow(fields:)`` and then gives exactly that many fields, in column order, of the
/// columns' own types.
package struct BinaryCopyRows: Sendable {
    package private(set) var bytes: [UInt8]
    package private(set) var rowCount = 0
    private var isFinished = false

    package init(reservingBytes capacity: Int = 1 << 16) {
        bytes = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + [0, 0, 0, 0] + [0, 0, 0, 0]
        bytes.reserveCapacity(capacity)
    }

    package mutating func startRow(fields: Int) {
        precondition(!isFinished, "rows added after finish()")
        appendBigEndian(UInt16(fields))
        rowCount += 1
    }

    /// A `text` field.
    package mutating func append(text: String) {
        text.withUTF8Bytes { append(utf8: $0) }
    }

    /// A `text` field given as UTF-8 bytes.
    package mutating func append(utf8: UnsafeBufferPointer<UInt8>) {
        appendBigEndian(UInt32(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    package mutating func append(text: String?) {
        if let text { append(text: text) } else { appendNull() }
    }

    /// A `bigint` field.
    package mutating func append(bigint: Int64) {
        appendBigEndian(UInt32(8))
        appendBigEndian(UInt64(bitPattern: bigint))
    }

    /// A `uuid` field.
    package mutating func append(uuid: UUID) {
        appendBigEndian(UInt32(16))
        withUnsafeBytes(of: uuid.uuid) { bytes.append(contentsOf: $0) }
    }

    package mutating func append(uuid: UUID?) {
        if let uuid { append(uuid: uuid) } else { appendNull() }
    }

    /// A `timestamptz` field: microseconds since 2000-01-01 00:00:00 UTC, PostgreSQL's epoch.
    package mutating func append(timestampMicrosecondsSince2000 value: Int64) {
        appendBigEndian(UInt32(8))
        appendBigEndian(UInt64(bitPattern: value))
    }

    /// A `date` field: days since 2000-01-01, PostgreSQL's epoch, of the proleptic Gregorian date given.
    package mutating func append(dateYear year: Int, month: Int, day: Int) {
        appendBigEndian(UInt32(4))
        appendBigEndian(Int32(Self.daysSince2000(year: year, month: month, day: day)))
    }

    /// Days from 2000-01-01 to the date (negative before it), by the civil-calendar arithmetic of eras of 400 years.
    static func daysSince2000(year: Int, month: Int, day: Int) -> Int {
        let shifted = month <= 2 ? year - 1 : year  // years counted from March, so that February's leap day ends one
        let era = (shifted >= 0 ? shifted : shifted - 399) / 400
        let yearOfEra = shifted - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 730_425  // 730,425: days from 0000-03-01 to 2000-01-01
    }

    package mutating func appendNull() {
        appendBigEndian(UInt32.max)  // length −1
    }

    /// Ends the data with its trailer; call once, after the last row.
    package mutating func finish() {
        guard !isFinished else { return }
        bytes.append(contentsOf: [0xFF, 0xFF])
        isFinished = true
    }

    var isComplete: Bool { isFinished }

    /// Hands the bytes laid out so far to `send` and forgets them (keeping the buffer), for a COPY sent as it is
    /// written (``PostgresConnection/copyStreaming(into:columns:chunkBytes:_:)``).
    mutating func drain(_ send: (UnsafeBufferPointer<UInt8>) throws(PostgresError) -> Void) throws(PostgresError) {
        guard !bytes.isEmpty else { return }
        try bytes.withUnsafeBufferPointer { (buffer) throws(PostgresError) in try send(buffer) }
        bytes.removeAll(keepingCapacity: true)
    }

    private mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }
}

/// The rows of a binary COPY being sent as they are written (``PostgresConnection/copyStreaming(into:columns:chunkBytes:_:)``):
/// lay out each row in `rows`, then call ``rowEnded()``, which sends what is laid out once it fills a chunk.
package struct BinaryCopyStream {
    package var rows: BinaryCopyRows
    private let chunkBytes: Int
    private let send: (UnsafeBufferPointer<UInt8>) throws(PostgresError) -> Void

    init(chunkBytes: Int, send: @escaping (UnsafeBufferPointer<UInt8>) throws(PostgresError) -> Void) {
        self.rows = BinaryCopyRows(reservingBytes: chunkBytes + chunkBytes / 2)
        self.chunkBytes = chunkBytes
        self.send = send
    }

    package mutating func rowEnded() throws(PostgresError) {
        if rows.bytes.count >= chunkBytes { try rows.drain(send) }
    }

    /// Ends the data with its trailer and sends what is left.
    mutating func finish() throws(PostgresError) {
        rows.finish()
        try rows.drain(send)
    }
}
