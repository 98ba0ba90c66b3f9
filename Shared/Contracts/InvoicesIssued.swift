import AMQPClient

/// `billing.invoices.issued.v1`: every invoice and credit note billing issued for one store in one batch, on exchange
/// `billing.events` with routing key `invoices.issued.<storeId>`.
///
/// Each document is exactly the `billing.invoice.issued.v1` (or `billing.credit_note.issued.v1`) stored with the
/// invoice, in the order they were issued: announcing per store and batch keeps the broker's message rate far below
/// the invoice rate, as `sale.recorded.v1` does for sales. Billing publishes one document per message as well (the
/// per-invoice form, each under its own routing key) when `TRASTIENDA_BILLING_PER_INVOICE_EVENTS=1`.
package struct InvoicesIssuedV1: Sendable {
    package static let messageType = "billing.invoices.issued.v1"

    package var storeId: String
    /// Each document's JSON, as issued.
    package var documents: [ArraySlice<UInt8>]
    /// The W3C trace context of each document's sale, by document number (those without one are left out).
    package var traceparents: [String: String]

    package init(storeId: String, documents: [ArraySlice<UInt8>], traceparents: [String: String] = [:]) {
        self.storeId = storeId
        self.documents = documents
        self.traceparents = traceparents
    }

    package static func routingKey(storeId: String) -> String { "invoices.issued.\(storeId)" }

    /// The batch as billing publishes it: on `billing.events` under its store's key, its message id the first
    /// document's number and how many there are (`S001-2026/7+20`, the same when a batch is announced again).
    package func message(firstNumber: String, timestamp: Int64? = nil, traceparent: String? = nil) -> OutgoingMessage {
        OutgoingMessage(
            exchange: Exchanges.billingEvents.name, routingKey: Self.routingKey(storeId: storeId), body: json(),
            properties: MessageProperties(type: Self.messageType, messageId: "\(firstNumber)+\(documents.count)", timestamp: timestamp)
                .tracing(traceparent))
    }

    /// Reads a batch; its documents are only found, not read (see ``terminalId(in:)`` and `JSONDecoder` for that).
    package static func parse(_ body: [UInt8]) throws(SaleViolation) -> InvoicesIssuedV1 {
        let (storeId, ranges, traceparents) = try SaleJSONParser.parseDocumentBatch(body)
        return InvoicesIssuedV1(storeId: storeId, documents: ranges.map { body[$0] }, traceparents: traceparents)
    }

    /// The batch as JSON: `{"storeId": …, "documents": [ … ], "traceparents": { … }}`, each document as it is.
    package func json() -> [UInt8] {
        var writer = JSONWriter(reservingBytes: 64 + documents.reduce(0) { $0 + $1.count + 1 } + traceparents.count * 96)
        writer.object { json in
            json.field("storeId", storeId)
            json.field("documents", array: documents) { json, document in json.raw(document) }
            if !traceparents.isEmpty {
                json.field("traceparents", object: { json in
                    for (number, traceparent) in traceparents.sorted(by: { $0.key < $1.key }) { json.field(named: number, traceparent) }
                })
            }
        }
        return writer.bytes
    }

    /// The terminal a document names, read where it lies: nil when it names none as plain text (then read it whole).
    package static func terminalId(in document: ArraySlice<UInt8>) -> String? {
        let key = Array(#""terminalId":""#.utf8)
        guard let start = document.firstRange(ofBytes: key)?.upperBound,
            let end = document[start...].firstIndex(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }),
            document[end] == UInt8(ascii: "\"")
        else { return nil }
        return String(decoding: document[start..<end], as: UTF8.self)
    }

    /// Cuts a batch of many documents into batches of one (same store, type and properties; the document's own
    /// trace context; a message id that names the original's), so that a consumer that cannot handle one document
    /// parks that document alone. Nil for one document, or a body that is not a batch.
    package static let split: MessageSplitter = { delivery in
        guard let batch = try? parse(delivery.body), batch.documents.count > 1 else { return nil }
        let original = delivery.properties.messageId ?? ""
        return batch.documents.enumerated().map { index, document in
            var properties = delivery.properties
            properties.messageId = "\(original)/\(index + 1)"
            properties.headers[MessagePart.originalMessageIdHeader] = .string(original)
            let one = InvoicesIssuedV1(storeId: batch.storeId, documents: [document], traceparents: batch.traceparents)
            return MessagePart(body: one.json(), properties: properties)
        }
    }
}
