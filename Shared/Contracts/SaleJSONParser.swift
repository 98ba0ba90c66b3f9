import ByteText

/// A problem with a sale message, in the contract's terms: a stable code (`sale.missing_field`) and a readable reason.
package struct SaleViolation: Error, Equatable, Sendable {
    package let code: String
    package let reason: String

    package init(_ code: String, _ reason: String) {
        self.code = code
        self.reason = reason
    }
}

/// A parser for exactly two shapes, `pos.sale.v1` and `sale.recorded.v1` (which embeds sales), straight from bytes
/// to ``POSSaleV1`` and ``SaleRecordedV1``; every consumer of sales reads them with it.
///
/// Foundation's `JSONDecoder` spent most of intake's CPU (generic metadata lookups, key hashing, boxing); this reads
/// each byte once, allocates only the strings it keeps, and reports problems in the contract's own terms: syntax is
/// `sale.malformed_json`, a value of the wrong kind `sale.wrong_type`, an absent or null required field
/// `sale.missing_field`, each with the field's path. Unknown fields are skipped (a tolerant reader).
package struct SaleJSONParser {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    package static func parse(_ body: [UInt8]) throws(SaleViolation) -> POSSaleV1 {
        try parse(body) { parser in try parser.sale() }
    }

    /// A `pos.sale.v1` whose lines and payments (and, if it takes them, id and time) are handed to `visitor` as
    /// they are read instead of kept: the sale comes back without them. For a reader that only checks them (intake), this saves building and freeing them;
    /// the visitor is passed in place, so that nothing is allocated for it either (closures that capture were).
    package static func parse<Visitor: SaleVisitor>(_ body: [UInt8], visitor: inout Visitor) throws(SaleViolation) -> POSSaleV1 {
        try parse(body) { parser in try parser.sale(visitor: &visitor) }
    }

    /// A `sale.recorded.v1` announcement with its sales.
    package static func parseRecorded(_ body: [UInt8]) throws(SaleViolation) -> SaleRecordedV1 {
        try parse(body) { parser in try parser.recorded() }
    }

    /// A `billing.invoices.issued.v1` batch: its store, where each document lies in `body` (checked as JSON, not
    /// read), and the trace contexts by document number.
    package static func parseDocumentBatch(
        _ body: [UInt8]
    ) throws(SaleViolation) -> (storeId: String, documents: [Range<Int>], traceparents: [String: String]) {
        try parse(body) { parser in try parser.documentBatch() }
    }

    private static func parse<T>(_ body: [UInt8], _ shape: (inout SaleJSONParser) throws -> T) throws(SaleViolation) -> T {
        do {
            return try body.withUnsafeBufferPointer { buffer in
                var parser = SaleJSONParser(bytes: buffer)
                return try shape(&parser)
            }
        } catch let violation as SaleViolation {
            throw violation
        } catch {
            throw SaleViolation("sale.malformed_json", "\(error)")
        }
    }

    private init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    // MARK: The shape of pos.sale.v1

    /// Syntax comes before content: text after the whole message is malformed JSON, whatever the object lacks.
    private mutating func expectEnd() throws {
        skipWhitespace()
        guard index == bytes.count else { throw Self.malformed("text after the object") }
    }

    private mutating func sale(whole: Bool = true) throws -> POSSaleV1 {
        var collected = CollectedParts()
        var sale = try sale(whole: whole, visitor: &collected)
        sale.lines = collected.lines
        sale.payments = collected.payments
        return sale
    }

    /// The sale with its lines and payments handed to `visitor` (and left empty in what comes back).
    private mutating func sale<Visitor: SaleVisitor>(whole: Bool = true, visitor: inout Visitor) throws -> POSSaleV1 {
        var saleId: String?, storeId: String?, terminalId: String?, occurredAt: String?, cashierId: String?, currency: String?
        var receiptNumber: Int64?, total: Int64?
        var customer: POSSaleV1.Customer?
        var lines: [POSSaleV1.Line]?, payments: [POSSaleV1.Payment]?
        var returnOf: POSSaleV1.ReturnReference?
        var tillSessionId: String?
        var seenCustomer = false, seenReturnOf = false, seenTillSession = false
        try object(path: "") { parser, key in
            switch key {
            case "saleId":
                try parser.firstTime(saleId == nil, key)
                saleId = try parser.idOrTime(key.string, handingTo: &visitor) { $0.visit(saleId: $1) }
            case "storeId":
                try parser.firstTime(storeId == nil, key)
                storeId = try parser.requiredString(key.string)
            case "terminalId":
                try parser.firstTime(terminalId == nil, key)
                terminalId = try parser.requiredString(key.string)
            case "receiptNumber":
                try parser.firstTime(receiptNumber == nil, key)
                receiptNumber = try parser.requiredInteger(key.string)
            case "occurredAt":
                try parser.firstTime(occurredAt == nil, key)
                occurredAt = try parser.idOrTime(key.string, handingTo: &visitor) { $0.visit(occurredAt: $1) }
            case "cashierId":
                try parser.firstTime(cashierId == nil, key)
                cashierId = try parser.requiredString(key.string)
            case "currency":
                try parser.firstTime(currency == nil, key)
                currency = try parser.requiredString(key.string)
            case "total":
                try parser.firstTime(total == nil, key)
                total = try parser.requiredInteger(key.string)
            case "customer":
                try parser.firstTime(!seenCustomer, key)
                seenCustomer = true
                customer = try parser.isNull() ? nil : try parser.customer()
            case "lines":
                try parser.firstTime(lines == nil, key)
                try parser.forEachElement(key.string) { parser, index in visitor.visit(try parser.lineView(index), at: index) }
                lines = []
            case "payments":
                try parser.firstTime(payments == nil, key)
                try parser.forEachElement(key.string) { parser, index in visitor.visit(try parser.paymentView(index), at: index) }
                payments = []
            case "returnOf":
                try parser.firstTime(!seenReturnOf, key)
                seenReturnOf = true
                returnOf = try parser.isNull() ? nil : try parser.returnReference()
            case "tillSessionId":
                try parser.firstTime(!seenTillSession, key)
                seenTillSession = true
                tillSessionId = try parser.isNull() ? nil : try parser.requiredString(key.string)
            default: try parser.skipValue()
            }
        }
        if whole { try expectEnd() }
        return POSSaleV1(
            saleId: try present(saleId, "saleId"), storeId: try present(storeId, "storeId"),
            terminalId: try present(terminalId, "terminalId"), receiptNumber: try present(receiptNumber, "receiptNumber"),
            occurredAt: try present(occurredAt, "occurredAt"), cashierId: try present(cashierId, "cashierId"),
            currency: try present(currency, "currency"), customer: customer, lines: try present(lines, "lines"),
            payments: try present(payments, "payments"), total: try present(total, "total"), returnOf: returnOf,
            tillSessionId: tillSessionId)
    }

    private mutating func recorded() throws -> SaleRecordedV1 {
        var storeId: String?, recordedAt: String?
        var sales: [POSSaleV1]?
        var traceparents: [String: String]?
        try object(path: "") { parser, key in
            switch key {
            case "storeId":
                try parser.firstTime(storeId == nil, key)
                storeId = try parser.requiredString(key.string)
            case "recordedAt":
                try parser.firstTime(recordedAt == nil, key)
                recordedAt = try parser.requiredString(key.string)
            case "sales":
                try parser.firstTime(sales == nil, key)
                sales = try parser.array(key.string) { parser, _ in try parser.sale(whole: false) }
            case "traceparents":
                try parser.firstTime(traceparents == nil, key)
                traceparents = try parser.traceparents()
            default: try parser.skipValue()
            }
        }
        try expectEnd()
        return SaleRecordedV1(
            storeId: try present(storeId, "storeId"), recordedAt: try present(recordedAt, "recordedAt"), sales: try present(sales, "sales"),
            traceparents: traceparents)
    }

    /// `{"traceparents": {"<id>": "<W3C trace context>", …}}`, or null.
    private mutating func traceparents() throws -> [String: String]? {
        if try isNull() { return nil }
        var found: [String: String] = [:]
        try object(path: "traceparents") { parser, key in
            let id = key.string
            found[id] = try parser.requiredString(id, in: "traceparents")
        }
        return found
    }

    private mutating func documentBatch() throws -> (storeId: String, documents: [Range<Int>], traceparents: [String: String]) {
        var storeId: String?
        var documents: [Range<Int>]?
        var traceparents: [String: String]??
        try object(path: "") { parser, key in
            switch key {
            case "storeId":
                try parser.firstTime(storeId == nil, key)
                storeId = try parser.requiredString(key.string)
            case "documents":
                try parser.firstTime(documents == nil, key)
                var ranges: [Range<Int>] = []
                try parser.forEachElement(key.string) { parser, index in
                    parser.skipWhitespace()
                    guard parser.peek() == UInt8(ascii: "{") else { throw parser.wrongType("documents[\(index)]", "an object") }
                    let start = parser.index
                    try parser.skipValue()
                    ranges.append(start..<parser.index)
                }
                documents = ranges
            case "traceparents":
                try parser.firstTime(traceparents == nil, key)
                traceparents = .some(try parser.traceparents())
            default: try parser.skipValue()
            }
        }
        try expectEnd()
        return (try present(storeId, "storeId"), try present(documents, "documents"), (traceparents ?? nil) ?? [:])
    }

    private mutating func customer() throws -> POSSaleV1.Customer {
        var taxId: String?, name: String?, address: String?
        try object(path: "customer") { parser, key in
            switch key {
            case "taxId":
                try parser.firstTime(taxId == nil, key)
                taxId = try parser.optionalString("customer.taxId")
            case "name":
                try parser.firstTime(name == nil, key)
                name = try parser.optionalString("customer.name")
            case "address":
                try parser.firstTime(address == nil, key)
                address = try parser.optionalString("customer.address")
            default: try parser.skipValue()
            }
        }
        return POSSaleV1.Customer(taxId: taxId, name: name, address: address)
    }

    private mutating func returnReference() throws -> POSSaleV1.ReturnReference {
        var saleId: String?
        try object(path: "returnOf") { parser, key in
            if case "saleId" = key {
                try parser.firstTime(saleId == nil, key)
                saleId = try parser.requiredString("returnOf.saleId")
            } else {
                try parser.skipValue()
            }
        }
        return POSSaleV1.ReturnReference(saleId: try present(saleId, "returnOf.saleId"))
    }

    private mutating func lineView(_ index: Int) throws -> LineView {
        var path: String { "lines[\(index)]" }
        var sku: TextView?, description: TextView?
        var quantity: Int64?, unitPrice: Int64?, taxRate: Int64?, discount: Int64?
        try object(path: path) { parser, key in
            switch key {
            case "sku":
                try parser.firstTime(sku == nil, key)
                sku = try parser.requiredText(key.string, in: path)
            case "description":
                try parser.firstTime(description == nil, key)
                description = try parser.requiredText(key.string, in: path)
            case "quantity":
                try parser.firstTime(quantity == nil, key)
                quantity = try parser.requiredInteger(key.string, in: path)
            case "unitPrice":
                try parser.firstTime(unitPrice == nil, key)
                unitPrice = try parser.requiredInteger(key.string, in: path)
            case "taxRate":
                try parser.firstTime(taxRate == nil, key)
                taxRate = try parser.requiredInteger(key.string, in: path)
            case "discount":
                try parser.firstTime(discount == nil, key)
                discount = try parser.requiredInteger(key.string, in: path)
            default: try parser.skipValue()
            }
        }
        return LineView(
            sku: try present(sku, "\(path).sku"), description: try present(description, "\(path).description"),
            quantity: try present(quantity, "\(path).quantity"), unitPrice: try present(unitPrice, "\(path).unitPrice"),
            taxRate: try present(taxRate, "\(path).taxRate"), discount: try present(discount, "\(path).discount"))
    }

    private mutating func paymentView(_ index: Int) throws -> PaymentView {
        var path: String { "payments[\(index)]" }
        var method: TextView?, amount: Int64?
        try object(path: path) { parser, key in
            switch key {
            case "method":
                try parser.firstTime(method == nil, key)
                method = try parser.requiredText(key.string, in: path)
            case "amount":
                try parser.firstTime(amount == nil, key)
                amount = try parser.requiredInteger(key.string, in: path)
            default: try parser.skipValue()
            }
        }
        return PaymentView(method: try present(method, "\(path).method"), amount: try present(amount, "\(path).amount"))
    }

    // MARK: JSON values

    private mutating func object(path: @autoclosure () -> String, _ member: (inout SaleJSONParser, Key) throws -> Void) throws {
        skipWhitespace()
        guard peek() == UInt8(ascii: "{") else {
            let path = path()
            throw wrongType(path.isEmpty ? "the sale" : path, "an object")
        }
        index += 1
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw Self.malformed("expected a field name") }
            let key = try self.key()
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw Self.malformed("expected ':' after \"\(key.string)\"") }
            index += 1
            try member(&self, key)
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return
            default: throw Self.malformed("expected ',' or '}' in an object")
            }
        }
    }

    private mutating func array<Element>(_ path: @autoclosure () -> String, _ element: (inout SaleJSONParser, Int) throws -> Element) throws -> [Element] {
        var elements: [Element] = []
        try forEachElement(path()) { parser, index in elements.append(try element(&parser, index)) }
        return elements
    }

    /// Reads a list, handing each element's position to `element`, which reads it; nothing is collected.
    private mutating func forEachElement(_ path: @autoclosure () -> String, _ element: (inout SaleJSONParser, Int) throws -> Void) throws {
        skipWhitespace()
        if peek() == UInt8(ascii: "n"), try isNull() { throw SaleViolation("sale.missing_field", "field \(path()) is null") }
        guard peek() == UInt8(ascii: "[") else { throw wrongType(path(), "a list") }
        index += 1
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            return
        }
        var count = 0
        while true {
            try element(&self, count)
            count += 1
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return
            default: throw Self.malformed("expected ',' or ']' in a list")
            }
        }
    }

    private mutating func requiredString(_ key: @autoclosure () -> String, in path: @autoclosure () -> String = "") throws -> String {
        try requiredText(key(), in: path()).string
    }

    /// The sale's id or time: handed to `visitor` where it lies when it takes them (the sale then keeps ""), read
    /// as a string otherwise.
    private mutating func idOrTime<Visitor: SaleVisitor>(
        _ key: String, handingTo visitor: inout Visitor, _ visit: (inout Visitor, TextView) -> Void
    ) throws -> String {
        guard visitor.takesIdAndTime else { return try requiredString(key) }
        visit(&visitor, try requiredText(key, in: ""))
        return ""
    }

    /// A required string left where it lies (resolved only when it has escapes).
    private mutating func requiredText(_ key: @autoclosure () -> String, in path: @autoclosure () -> String) throws -> TextView {
        var field: String { path().isEmpty ? key() : "\(path()).\(key())" }
        skipWhitespace()
        if try isNull() { throw SaleViolation("sale.missing_field", "field \(field) is null") }
        guard peek() == UInt8(ascii: "\"") else { throw wrongType(field, "text") }
        let (raw, plain) = try rawString()
        return TextView(raw: raw, unescaped: plain ? nil : try Self.unescape(raw))
    }

    private mutating func optionalString(_ path: @autoclosure () -> String) throws -> String? {
        skipWhitespace()
        if try isNull() { return nil }
        guard peek() == UInt8(ascii: "\"") else { throw wrongType(path(), "text") }
        return try string()
    }

    private mutating func requiredInteger(_ key: @autoclosure () -> String, in path: @autoclosure () -> String = "") throws -> Int64 {
        var field: String { path().isEmpty ? key() : "\(path()).\(key())" }
        skipWhitespace()
        if try isNull() { throw SaleViolation("sale.missing_field", "field \(field) is null") }
        var negative = false
        if peek() == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        guard let first = peek(), Self.isDigit(first) else {
            if negative { throw Self.malformed("'-' without digits") }
            throw wrongType(field, "a whole number")
        }
        var value: Int64 = 0
        while let byte = peek(), Self.isDigit(byte) {
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (plus, overflow2) = times.addingReportingOverflow(Int64(byte - 0x30))
            guard !overflow1, !overflow2 else { throw SaleViolation("sale.wrong_type", "field \(field) is out of range") }
            value = plus
            index += 1
        }
        if let byte = peek(), byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            throw SaleViolation("sale.wrong_type", "field \(field) is not a whole number")
        }
        return negative ? -value : value
    }

    /// A field the contract reads may appear once: readers that keep the first and readers that keep the last would
    /// see two different sales.
    private func firstTime(_ isFirst: Bool, _ key: Key) throws {
        guard isFirst else { throw Self.malformed("the field \"\(key.string)\" appears twice") }
    }

    /// Consumes `null` if it is next.
    private mutating func isNull() throws -> Bool {
        skipWhitespace()
        guard peek() == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    /// A string at `index` (which is on its opening quote), escapes resolved, UTF-8 checked.
    private mutating func string() throws -> String {
        let (raw, plain) = try rawString()
        return plain ? String(decoding: raw, as: UTF8.self) : try Self.unescape(raw)
    }

    private mutating func key() throws -> Key {
        let (raw, plain) = try rawString()
        return Key(raw: raw, unescaped: plain ? nil : try Self.unescape(raw))
    }

    /// The bytes between the quotes of the string at `index`, checked: no control character, UTF-8 (at once when all
    /// ASCII, as nearly every sale's text is); `plain` when there is no escape to resolve.
    private mutating func rawString() throws -> (raw: UnsafeBufferPointer<UInt8>, plain: Bool) {
        index += 1
        let start = index
        var plain = true
        var ascii = true
        while index < bytes.count {
            index = Self.skipOrdinaryText(bytes, from: index)
            guard index < bytes.count else { break }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let raw = UnsafeBufferPointer(rebasing: bytes[start..<index])
                index += 1
                if plain, !ascii, !Self.isValidUTF8(raw) { throw Self.malformed("text that is not UTF-8") }
                return (raw, plain)
            }
            if byte == UInt8(ascii: "\\") {
                plain = false
                index += 2
                continue
            }
            guard byte >= 0x20 else { throw Self.malformed("a control character inside text") }
            if byte >= 0x80 { ascii = false }
            index += 1
        }
        throw Self.malformed("unterminated text")
    }

    /// The first position from `start` on that ends or complicates a string: a quote, a backslash, a control
    /// character or a non-ASCII byte (or the end of the body). Eight bytes at a time: a sale's text is plain ASCII.
    @inline(__always)
    private static func skipOrdinaryText(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var index = start
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while index + 8 <= bytes.count {
            let word = UInt64(littleEndian: UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt64.self))
            // A byte's high bit is set in `flagged` when the byte is '"' or '\\' (zero after the XOR), below 0x20
            // (the subtraction borrows), or 0x80 and above. A borrow can only flag bytes after a flagged one, so the
            // lowest flag is exact.
            let quote = word ^ (ones &* 0x22)
            let backslash = word ^ (ones &* 0x5C)
            let flagged = (((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | (word &- ones &* 0x20) | word) & highs
            if flagged != 0 { return index + flagged.trailingZeroBitCount / 8 }
            index += 8
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { return index }
            index += 1
        }
        return index
    }

    private static func unescape(_ raw: UnsafeBufferPointer<UInt8>) throws -> String {
        var output: [UInt8] = []
        output.reserveCapacity(raw.count)
        var position = 0
        func hex4() throws -> UInt32 {
            // `position` is at the `u`: its four digits follow it.
            guard position + 4 < raw.count else { throw malformed("a short \\u escape") }
            var value: UInt32 = 0
            for offset in 1...4 {
                guard position + offset < raw.count, case let digit = HexDigits.nibble(raw[position + offset]), digit < 16 else { throw malformed("a bad \\u escape") }
                value = value << 4 | UInt32(digit)
            }
            position += 5
            return value
        }
        while position < raw.count {
            let byte = raw[position]
            guard byte == UInt8(ascii: "\\") else {
                output.append(byte)
                position += 1
                continue
            }
            position += 1
            guard position < raw.count else { throw malformed("a lone backslash") }
            switch raw[position] {
            case UInt8(ascii: "\""): output.append(0x22)
            case UInt8(ascii: "\\"): output.append(0x5C)
            case UInt8(ascii: "/"): output.append(0x2F)
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    guard position + 1 < raw.count, raw[position] == UInt8(ascii: "\\"), raw[position + 1] == UInt8(ascii: "u") else {
                        throw malformed("an unpaired surrogate")
                    }
                    position += 1
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw malformed("an unpaired surrogate") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw malformed("an invalid \\u escape") }
                output.append(contentsOf: Array(String(Character(unicode)).utf8))
                continue
            default: throw malformed("an unknown escape")
            }
            position += 1
        }
        return try output.withUnsafeBufferPointer { bytes in
            guard isValidUTF8(bytes) else { throw malformed("text that is not UTF-8") }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Well-formed UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF). The standard library's
    /// validating initialiser is generic and, unspecialised, cost more than the rest of the parse.
    package static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var lower: UInt8 = 0x80
            var upper: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; upper = 0x9F
            case 0xF0: length = 4; lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; upper = 0x8F
            default: return false
            }
            guard index + length <= count else { return false }
            guard (lower...upper).contains(bytes[index + 1]) else { return false }
            for offset in 2..<max(2, length) where !(0x80...0xBF).contains(bytes[index + offset]) { return false }
            index += length
        }
        return true
    }

    /// Skips any JSON value (for fields the contract does not name).
    private mutating func skipValue(depth: Int = 0) throws {
        guard depth < 32 else { throw Self.malformed("nesting deeper than 32") }
        skipWhitespace()
        guard let byte = peek() else { throw Self.malformed("a value is missing") }
        switch byte {
        case UInt8(ascii: "\""):
            // Checked as strictly as a string that is read, without making one.
            let (raw, plain) = try rawString()
            if !plain { _ = try Self.unescape(raw) }
        case UInt8(ascii: "{"):
            try object(path: "") { parser, _ in try parser.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["):
            try forEachElement("") { parser, _ in try parser.skipValue(depth: depth + 1) }
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            index += 1
            while let next = peek(), Self.isDigit(next) || next == UInt8(ascii: ".") || next == UInt8(ascii: "e")
                || next == UInt8(ascii: "E") || next == UInt8(ascii: "+") || next == UInt8(ascii: "-")
            {
                index += 1
            }
        default: throw Self.malformed("an unexpected character")
        }
    }

    private mutating func literal(_ word: StaticString) throws {
        let length = word.utf8CodeUnitCount
        guard index + length <= bytes.count else { throw Self.malformed("a truncated literal") }
        for offset in 0..<length where bytes[index + offset] != word.utf8Start[offset] {
            throw Self.malformed("an unexpected word")
        }
        index += length
    }

    // MARK: Bytes

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    // MARK: Errors

    private func wrongType(_ path: String, _ expected: String) -> SaleViolation {
        guard let byte = peek() else { return Self.malformed("the body ends too soon") }
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"),
            UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return SaleViolation("sale.wrong_type", "field \(path) is not \(expected)")
        default:
            return Self.malformed("a value starts with '\(Character(Unicode.Scalar(byte)))'")
        }
    }

    private static func malformed(_ detail: String) -> SaleViolation {
        SaleViolation("sale.malformed_json", "the body is not valid JSON: \(detail)")
    }

    private func present<T>(_ value: T?, _ path: @autoclosure () -> String) throws -> T {
        guard let value else { throw SaleViolation("sale.missing_field", "field \(path()) is missing") }
        return value
    }
}

/// Text as it lies in the message (valid only while the message is being read), with its escapes resolved when it
/// had any (legal, but no terminal writes them).
package struct TextView {
    let raw: UnsafeBufferPointer<UInt8>
    let unescaped: String?

    package var string: String { unescaped ?? String(decoding: raw, as: UTF8.self) }
    package var isEmpty: Bool { unescaped?.isEmpty ?? raw.isEmpty }

    /// At most `maximum` characters (``Swift/String/fits(_:)``).
    package func fits(_ maximum: Int) -> Bool {
        unescaped?.fits(maximum) ?? (raw.count <= maximum || string.count <= maximum)
    }

    /// The text's UTF-8 bytes (where it lies, or its escapes resolved).
    package func withUTF8<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        guard var unescaped else { return try body(raw) }
        return try unescaped.withUTF8(body)
    }

    /// Whether this is `text` (compared byte by byte where it lies).
    package func isEqual(to text: String) -> Bool {
        if let unescaped { return unescaped == text }
        return text.utf8.withContiguousStorageIfAvailable { bytes in
            guard bytes.count == raw.count else { return false }
            for offset in 0..<raw.count where raw[offset] != bytes[offset] { return false }
            return true
        } ?? (string == text)
    }

    /// `case "saleId":` compares the text's bytes with the name. Inlined, so that each case of a switch is a
    /// comparison of two lengths, one of them constant, before any byte: most cases end there, without a call.
    @inline(__always)
    static func ~= (name: StaticString, text: TextView) -> Bool {
        if let unescaped = text.unescaped { return unescaped == name.description }
        guard text.raw.count == name.utf8CodeUnitCount else { return false }
        let start = name.utf8Start
        for offset in 0..<name.utf8CodeUnitCount where text.raw[offset] != start[offset] { return false }
        return true
    }
}

/// A field name: compared with the contract's names where it lies, so that most never become a `String`.
private typealias Key = TextView

/// What reads a sale's lines and payments as the parser comes to them (``SaleJSONParser/parse(_:visitor:)``). What
/// it is handed lies in the message: valid only during the call.
package protocol SaleVisitor {
    mutating func visit(_ line: LineView, at index: Int)
    mutating func visit(_ payment: PaymentView, at index: Int)
    /// Whether the visitor takes the sale's id and time as they lie (``visit(saleId:)``, ``visit(occurredAt:)``):
    /// the sale then comes back with both empty, and no text is made for them.
    var takesIdAndTime: Bool { get }
    mutating func visit(saleId: TextView)
    mutating func visit(occurredAt: TextView)
}

extension SaleVisitor {
    package var takesIdAndTime: Bool { false }
    package mutating func visit(saleId: TextView) {}
    package mutating func visit(occurredAt: TextView) {}
}

/// Lines and payments kept whole: the visitor behind ``SaleJSONParser/parse(_:)``.
private struct CollectedParts: SaleVisitor {
    var lines: [POSSaleV1.Line] = []
    var payments: [POSSaleV1.Payment] = []

    mutating func visit(_ line: LineView, at index: Int) {
        lines.append(
            POSSaleV1.Line(
                sku: line.sku.string, description: line.description.string, quantity: line.quantity, unitPrice: line.unitPrice,
                taxRate: line.taxRate, discount: line.discount))
    }

    mutating func visit(_ payment: PaymentView, at index: Int) {
        payments.append(POSSaleV1.Payment(method: payment.method.string, amount: payment.amount))
    }
}

/// One payment of a sale as it lies in the message (``SaleJSONParser/parse(_:visitor:)``).
package struct PaymentView {
    package let method: TextView
    package let amount: Int64
}

/// One line of a sale as it lies in the message (``SaleJSONParser/parse(_:visitor:)``).
package struct LineView {
    package let sku: TextView
    package let description: TextView
    package let quantity: Int64
    package let unitPrice: Int64
    package let taxRate: Int64
    package let discount: Int64
}

extension String {
    /// At most `maximum` characters. A character is at least one byte, so text of no more bytes fits without
    /// counting characters (which walks grapheme clusters).
    package func fits(_ maximum: Int) -> Bool {
        utf8.count <= maximum || count <= maximum
    }
}
