import AMQPClient
import ByteText
import Contracts
import SaleValidation
import Foundation

/// A batch's `sale.recorded.v1` messages, one per store, each carrying that store's sales exactly as their terminals
/// sent them. Sales are added as they are accepted, while their bodies are still in the cache of the thread that
/// read them; the messages are finished once the batch is committed (`recordedAt` is the commit's time).
struct StoreAnnouncements {
    fileprivate struct Store {
        let storeId: String
        /// `{"storeId":"…","sales":[` and the sales so far, comma-separated.
        var body: [UInt8]
        /// `"<saleId>":"<traceparent>"` pairs, comma-separated.
        var traceparents: [UInt8] = []
        var sales = 0
        /// The first sale's trace context: the message continues its trace.
        var firstTraceparent: String?
    }

    private var stores: [Store] = []
    private var storeIndex: [String: Int] = [:]
    /// Bytes reserved at once for one store's message: it grows from there when a store has more sales.
    private static let initialBytesPerStore = 16_384

    init() {}

    init(_ sales: some Sequence<ValidatedSale>) {
        self.init()
        for sale in sales { add(sale) }
    }

    mutating func add(_ sale: ValidatedSale) {
        let storeId = sale.storeId
        let index: Int
        if let known = storeIndex[storeId] {
            index = known
        } else {
            index = stores.count
            storeIndex[storeId] = index
            var body: [UInt8] = []
            body.reserveCapacity(Self.initialBytesPerStore)
            // Store ids are letters, digits, '-' and '_' (validated), so they need no JSON escaping.
            body.append(contentsOf: #"{"storeId":""#.utf8)
            body.append(contentsOf: storeId.utf8)
            body.append(contentsOf: #"","sales":["#.utf8)
            stores.append(Store(storeId: storeId, body: body))
        }
        stores[index].add(sale)
    }

    var isEmpty: Bool { stores.isEmpty }

    /// The messages, by store id, stamped with the commit's time. Takes the bodies (they are not copied): call once.
    mutating func takeMessages(recordedAt: Date) -> [OutgoingMessage] {
        guard !stores.isEmpty else { return [] }
        let recordedAtText = recordedAt.formatted(
            .iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
        let timestamp = Int64(recordedAt.timeIntervalSince1970)
        var taken: [Store] = []
        swap(&taken, &stores)
        storeIndex = [:]
        taken.sort { $0.storeId < $1.storeId }
        return taken.indices.map { index in
            // Moved out of the array, so that appending to it copies nothing.
            var body: [UInt8] = []
            swap(&body, &taken[index].body)
            let store = taken[index]
            body.append(UInt8(ascii: "]"))
            if !store.traceparents.isEmpty {
                body.append(contentsOf: #","traceparents":{"#.utf8)
                body.append(contentsOf: store.traceparents)
                body.append(UInt8(ascii: "}"))
            }
            body.append(contentsOf: #","recordedAt":""#.utf8)
            body.append(contentsOf: recordedAtText.utf8)
            body.append(contentsOf: #""}"#.utf8)
            var headers: [String: HeaderValue] = [:]
            if let traceparent = TraceContext.child(of: store.firstTraceparent) { headers[TraceContext.header] = .string(traceparent) }
            return OutgoingMessage(
                exchange: Exchanges.salesEvents.name, routingKey: SaleRecordedV1.routingKey(storeId: store.storeId), body: body,
                properties: MessageProperties(
                    type: SaleRecordedV1.messageType, messageId: MessageId.random(), timestamp: timestamp, headers: headers))
        }
    }
}

extension StoreAnnouncements.Store {
    /// Room for the pairs of about forty sales (96 bytes each) before the first growth.
    static let initialTraceparentBytes = 4096

    mutating func add(_ sale: ValidatedSale) {
        if sales > 0 { body.append(UInt8(ascii: ",")) }
        body.append(contentsOf: sale.body)
        if sales == 0 { firstTraceparent = sale.traceparent }
        sales += 1
        // Each sale's own trace context, so that billing, orders, collections and hr can carry it on. Sale ids are
        // UUIDs and valid trace contexts are hex and dashes: nothing to escape.
        guard let traceparent = sale.traceparent else { return }
        if traceparents.isEmpty {
            traceparents.reserveCapacity(Self.initialTraceparentBytes)
        } else {
            traceparents.append(UInt8(ascii: ","))
        }
        traceparents.append(UInt8(ascii: "\""))
        sale.saleUUID.appendLowercasedText(to: &traceparents)
        traceparents.append(contentsOf: #"":""#.utf8)
        traceparent.withUTF8Bytes { traceparents.append(contentsOf: $0) }
        traceparents.append(UInt8(ascii: "\""))
    }
}
