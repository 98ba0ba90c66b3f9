import AMQPClient
import ByteText
import Contracts
import SaleValidation
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
        var acceptedIds = Set<UUID>(minimumCapacity: batch.count)
        var receipts = [Receipt: UUID](minimumCapacity: batch.count)
        var duplicatesInBatch = 0
        // Rows and announcements are built as each sale is accepted, while its body is still in this thread's cache.
        var rows = SaleRows(count: batch.count, bodyBytes: batch.reduce(0) { $0 + $1.body.count })
        var announcements = StoreAnnouncements()
        for delivery in batch {
            switch validator.validate(delivery, now: now) {
            case .failure(let violation):
                rejections.append(Rejection(deliveryTag: delivery.deliveryTag, code: violation.code, reason: violation.reason))
            case .success(let sale):
                guard acceptedIds.insert(sale.saleUUID).inserted else {
                    duplicatesInBatch += 1  // the same sale twice in one batch: recorded and announced once
                    continue
                }
                let receipt = Receipt(terminalId: sale.terminalId, number: sale.receiptNumber)
                if let other = receipts[receipt] {
                    acceptedIds.remove(sale.saleUUID)
                    rejections.append(Self.receiptConflict(sale, other: other))
                    continue
                }
                receipts[receipt] = sale.saleUUID
                accepted.append(sale)
                rows.add(sale)
                announcements.add(sale)
            }
        }

        let (toRecord, copyRows) = (accepted, rows.finish())
        let outcome = try await database.transaction { connection in try SalesStore.record(toRecord, rows: copyRows, on: connection) }
        if !outcome.receiptConflicts.isEmpty {
            // Another sale already holds the receipt: refused, and not announced. Redeliveries are announced again
            // (their first announcement may have been lost), so duplicates stay.
            for sale in accepted where outcome.receiptConflicts.contains(sale.saleId) {
                rejections.append(Self.receiptConflict(sale, other: nil))
            }
            announcements = StoreAnnouncements(accepted.lazy.filter { !outcome.receiptConflicts.contains($0.saleId) })
        }
        // Announced in the order the batches came, so that a sale is announced before its return.
        try await AMQPConsumer.publishInBatchOrder(announcements.takeMessages(recordedAt: Date()), with: publisher)

        let lags = outcome.recordedAll
            ? accepted.map { now.timeIntervalSince($0.occurredAt) }
            : accepted.filter { outcome.wasRecorded($0.saleId) }.map { now.timeIntervalSince($0.occurredAt) }
        statistics.batchFinished(
            size: batch.count, recorded: outcome.recordedCount, duplicates: outcome.duplicates.count + duplicatesInBatch,
            rejections: rejections.map(\.code), duration: ContinuousClock.now - started, lags: lags)
        return rejections
    }

    /// A terminal's receipt number: one sale each.
    private struct Receipt: Hashable {
        let terminalId: String
        let number: Int64
    }

    private static func receiptConflict(_ sale: ValidatedSale, other: UUID?) -> Rejection {
        Rejection(
            deliveryTag: sale.deliveryTag, code: "sale.receipt_conflict",
            reason: "terminal \(sale.terminalId) already recorded receipt \(sale.receiptNumber) "
                + (other.map { "as sale \($0.lowercasedText)" } ?? "for another sale") + ", not \(sale.saleId)")
    }
}
