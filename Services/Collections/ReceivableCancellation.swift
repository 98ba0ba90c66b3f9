import AMQPClient
import Contracts
import PostgresClient
import ServiceRuntime

/// Billing cancelled an invoice or credit note (`billing.invoice.cancelled.v1`): the document should never have been
/// issued, so what it did to the customer's account is undone, once per document.
///
/// - An invoice on account: its receivable is closed as `cancelled` (nothing is owed, nothing is dunned), and what had
///   been paid towards it becomes credit on the account.
/// - A credit note on account: what it had taken off is owed again, as a receivable of its own under the credit
///   note's number (due by the customer's terms from today), paid first from the account's credit.
/// - A document that never reached the account (paid at the till) changes nothing here.
///
/// Cancellations and documents come through different queues: a cancellation read before its document is kept, and
/// the document, when it comes, is not booked (see ``cancelledNumbers(among:on:)``).
extension Receivables {
    enum CancellationOutcome: Sendable, Equatable {
        case receivableCancelled
        case creditNoteReversed
        case notOnAccount
        case seenBefore
    }

    static func cancel(_ cancellation: InvoiceCancelledV1, traceparent: String?, on connection: PostgresConnection) throws -> CancellationOutcome {
        guard try !connection.query(
            "INSERT INTO cancelled_documents (invoice_number, reason) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1",
            [cancellation.number, cancellation.reason]
        ).isEmpty else { return .seenBefore }
        // Customers are locked before their receivables, as payments and documents lock them.
        if let taxId: String = try connection.query(
            "SELECT customer_tax_id FROM receivables WHERE invoice_number = $1", [cancellation.number]
        ).first?.decode(at: 0) {
            try connection.query("SELECT 1 FROM customers WHERE tax_id = $1 FOR UPDATE", [taxId])
            guard var receivable = try load(number: cancellation.number, forUpdate: true, on: connection) else { return .notOnAccount }
            try close(&receivable, reason: cancellation.reason, traceparent: traceparent, on: connection)
            return .receivableCancelled
        }
        if let row = try connection.query(
            "SELECT customer_tax_id, amount_cents FROM account_entries WHERE kind = 'credit_note' AND reference = $1", [cancellation.number]
        ).first {
            let taxId: String = try row.decode(at: 0)
            let credited: Int64 = -(try row.decode(Int64.self, at: 1))
            let terms: Int = try connection.query(
                "SELECT payment_terms_days FROM customers WHERE tax_id = $1 FOR UPDATE", [taxId])[0].decode(at: 0)
            _ = try entry(taxId, kind: "cancellation", reference: cancellation.number, amount: credited, on: connection)
            try open(
                cancellation.number, storeId: cancellation.storeId, issueDate: try CollectionsClock.today(on: connection), amount: credited,
                taxId: taxId, terms: terms, traceparent: traceparent, on: connection)
            return .creditNoteReversed
        }
        return .notOnAccount
    }

    /// Closes the receivable of a cancelled invoice: the account no longer owes what was open, and what was paid
    /// (by payments or credit) goes back to the account's credit.
    private static func close(_ receivable: inout Receivable, reason: String, traceparent: String?, on connection: PostgresConnection) throws {
        let stillOwed = receivable.status == "open" ? receivable.outstandingCents : 0
        try connection.query("UPDATE receivables SET status = 'cancelled', closed_at = coalesce(closed_at, now()) WHERE id = $1", [receivable.id])
        _ = try entry(
            receivable.customerTaxId, kind: "cancellation", reference: receivable.invoiceNumber, amount: -(receivable.paidCents + stillOwed),
            on: connection)
        if receivable.paidCents > 0 {
            try connection.query(
                "UPDATE customers SET credit_cents = credit_cents + $2 WHERE tax_id = $1", [receivable.customerTaxId, receivable.paidCents])
        }
        receivable.status = "cancelled"
        receivable.paidCents = receivable.amountCents  // announced with nothing outstanding
        try announce("cancelled", receivable, reason: reason, traceparent: traceparent, on: connection)
    }

    /// Which of `numbers` billing has cancelled (their documents, if they come after, are not booked).
    static func cancelledNumbers(among numbers: [String], on connection: PostgresConnection) throws -> Set<String> {
        guard !numbers.isEmpty else { return [] }
        return Set(
            try connection.query(
                "SELECT invoice_number FROM cancelled_documents WHERE invoice_number = ANY($1::text[])", [PostgresArrays.text(numbers)]
            ).map { try $0.decode(String.self, at: 0) })
    }
}

/// Collections' consumer of `invoice.cancelled`: each cancellation undone on the account once (see
/// ``Receivables/cancel(_:traceparent:on:)``), or dead-lettered when it is not a cancellation.
struct CancellationRecorder: Sendable {
    let database: Database

    func handle(_ batch: [Delivery]) async throws -> [Rejection] {
        var rejections: [Rejection] = []
        var cancellations: [(InvoiceCancelledV1, traceparent: String?)] = []
        for delivery in batch {
            guard
                let cancellation = delivery.decodeBody(
                    InvoiceCancelledV1.self, refusing: "collections.malformed_cancellation",
                    expected: "a billing.invoice.cancelled.v1 (number, series, sequence, kind, storeId, reason…)", into: &rejections)
            else { continue }
            cancellations.append((cancellation, TraceContext.of(delivery.properties)))
        }
        guard !cancellations.isEmpty else { return rejections }
        let toRecord = cancellations
        try await database.transaction { connection in
            for (cancellation, traceparent) in toRecord {
                _ = try Receivables.cancel(cancellation, traceparent: traceparent, on: connection)
            }
        }
        return rejections
    }
}
