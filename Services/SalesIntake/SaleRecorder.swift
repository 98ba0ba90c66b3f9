import AMQPClient
import Contracts
import Foundation
import Logging
import PostgresClient

/// Intake's batch handler: validate every sale, record the valid ones in one transaction, announce them with
/// confirms, and hand back the refused ones for the dead-letter queue. The consumer acknowledges the batch only
/// after this returns, so a sale is acknowledged only once it is committed and its announcement confirmed.
struct SaleRecorder: Sendable {
    let database: Database
    let publisher: AMQPPublisher
    let validator: SaleValidator
    let statistics: IntakeStatistics
    let logger: Logger

    func handle(_ batch: [Delivery]) async throws -> [Rejection] {
        let started = ContinuousClock.now
        statistics.batchStarted()
        let now = Date()
        var rejections: [Rejection] = []
        var accepted: [ValidatedSale] = []
        var acceptedIds = Set<String>(minimumCapacity: batch.count)
        var receipts = [Receipt: String](minimumCapacity: batch.count)
        var duplicatesInBatch = 0
        for delivery in batch {
            switch validator.validate(delivery, now: now) {
            case .failure(let violation):
                rejections.append(Rejection(deliveryTag: delivery.deliveryTag, code: violation.code, reason: violation.reason))
            case .success(let sale):
                guard acceptedIds.insert(sale.saleId).inserted else {
                    duplicatesInBatch += 1  // the same sale twice in one batch: recorded and announced once
                    continue
                }
                let receipt = Receipt(terminalId: sale.sale.terminalId, number: sale.sale.receiptNumber)
                if let other = receipts[receipt] {
                    acceptedIds.remove(sale.saleId)
                    rejections.append(Self.receiptConflict(sale, other: other))
                    continue
                }
                receipts[receipt] = sale.saleId
                accepted.append(sale)
            }
        }

        let toRecord = accepted
        let outcome = try await database.transaction { connection in try SalesStore.record(toRecord, on: connection) }
        for sale in accepted where outcome.receiptConflicts.contains(sale.saleId) {
            rejections.append(Self.receiptConflict(sale, other: nil))
        }
        let announced = outcome.receiptConflicts.isEmpty ? accepted : accepted.filter { !outcome.receiptConflicts.contains($0.saleId) }
        // Announced in the order the batches came, so that a sale is announced before its return.
        try await AMQPConsumer.publishInBatchOrder(announcements(of: announced), with: publisher)

        let lags = outcome.duplicates.isEmpty && outcome.receiptConflicts.isEmpty
            ? accepted.map { now.timeIntervalSince($0.occurredAt) }
            : accepted.filter { outcome.recorded.contains($0.saleId) }.map { now.timeIntervalSince($0.occurredAt) }
        statistics.batchFinished(
            size: batch.count, recorded: outcome.recorded.count, duplicates: outcome.duplicates.count + duplicatesInBatch,
            rejections: rejections.map(\.code), duration: ContinuousClock.now - started, lags: lags)
        return rejections
    }

    /// A terminal's receipt number: one sale each.
    private struct Receipt: Hashable {
        let terminalId: String
        let number: Int64
    }

    private static func receiptConflict(_ sale: ValidatedSale, other: String?) -> Rejection {
        Rejection(
            deliveryTag: sale.deliveryTag, code: "sale.receipt_conflict",
            reason: "terminal \(sale.sale.terminalId) already recorded receipt \(sale.sale.receiptNumber) "
                + (other.map { "as sale \($0)" } ?? "for another sale") + ", not \(sale.saleId)")
    }

    /// One `sale.recorded.v1` per store, carrying that store's sales exactly as their terminals sent them.
    private func announcements(of sales: [ValidatedSale]) -> [OutgoingMessage] {
        guard !sales.isEmpty else { return [] }
        let recordedAt = Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
        let timestamp = Int64(Date().timeIntervalSince1970)
        var stores: [String: [ValidatedSale]] = [:]
        for sale in sales { stores[sale.sale.storeId, default: []].append(sale) }
        return stores.sorted { $0.key < $1.key }.map { storeId, group in
            var size = 100
            for sale in group { size += sale.body.count + 100 }
            var body: [UInt8] = []
            body.reserveCapacity(size)
            // Store ids are letters, digits, '-' and '_' (validated), so they need no JSON escaping.
            body.append(contentsOf: #"{"storeId":"\#(storeId)","recordedAt":"\#(recordedAt)","sales":["#.utf8)
            // Each sale's own trace context, so that billing, orders, collections and hr can carry it on. Sale ids are
            // UUIDs and valid trace contexts are hex and dashes: nothing to escape.
            var traceparents: [UInt8] = []
            for (position, sale) in group.enumerated() {
                if position > 0 { body.append(UInt8(ascii: ",")) }
                body.append(contentsOf: sale.body)
                if let traceparent = sale.traceparent {
                    traceparents.append(contentsOf: (traceparents.isEmpty ? #","traceparents":{""# : #",""#).utf8)
                    traceparents.append(contentsOf: sale.saleId.utf8)
                    traceparents.append(contentsOf: #"":""#.utf8)
                    traceparents.append(contentsOf: traceparent.utf8)
                    traceparents.append(UInt8(ascii: "\""))
                }
            }
            body.append(UInt8(ascii: "]"))
            if !traceparents.isEmpty {
                body.append(contentsOf: traceparents)
                body.append(UInt8(ascii: "}"))
            }
            body.append(UInt8(ascii: "}"))
            var headers: [String: HeaderValue] = [:]
            if let traceparent = TraceContext.child(of: group[0].traceparent) { headers[TraceContext.header] = .string(traceparent) }
            return OutgoingMessage(
                exchange: Exchanges.salesEvents.name, routingKey: SaleRecordedV1.routingKey(storeId: storeId), body: body,
                properties: MessageProperties(
                    type: SaleRecordedV1.messageType, messageId: UUID().uuidString.lowercased(), timestamp: timestamp, headers: headers))
        }
    }
}
