import AMQPClient
import Contracts
import PostgresClient
import ServiceRuntime

/// Billing cancelled an invoice or credit note (`billing.invoice.cancelled.v1`): the document should never have been
/// issued, so the account is put where it would be without it, once per document. Its line of the account is
/// answered by a `cancellation` line of the opposite amount, and what is owed and what is credit follow:
///
/// - An invoice on account: its receivable is closed as `cancelled` (nothing is owed, nothing is dunned); what had
///   been paid towards it, and what its credit notes had given, becomes credit (a write-off of it is undone too).
/// - A credit note on account: what it gave is taken back from the credit, and what the credit cannot cover is owed
///   again, as a receivable under the credit note's number (due by the customer's terms from today).
/// - A document that never reached the account (paid at the till) changes nothing here.
///
/// Credit that a cancellation frees pays the customer's open receivables, oldest first. Cancellations and documents
/// come through different queues: a cancellation read before its document is kept, and the document, when it comes,
/// is not booked (see ``cancelledNumbers(among:on:)``).
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
        guard let line = try connection.query(
            "SELECT customer_tax_id, kind, amount_cents FROM account_entries WHERE kind IN ('invoice', 'credit_note') AND reference = $1",
            [cancellation.number]
        ).first else { return .notOnAccount }
        let taxId: String = try line.decode(at: 0)
        let amount: Int64 = try line.decode(at: 2)
        // Customers are locked before their receivables, as payments and documents lock them.
        let terms: Int = try connection.query(
            "SELECT payment_terms_days FROM customers WHERE tax_id = $1 FOR UPDATE", [taxId])[0].decode(at: 0)
        if try line.decode(String.self, at: 1) == "invoice" {
            var freed = amount
            if var receivable = try load(number: cancellation.number, forUpdate: true, on: connection) {
                // What was still asked is no longer owed; what was written off was never lost.
                let written = receivable.status == "written_off" ? receivable.outstandingCents : 0
                freed -= (receivable.status == "open" ? receivable.outstandingCents : 0) + written
                _ = try entry(taxId, kind: "cancellation", reference: cancellation.number, amount: -(amount - written), on: connection)
                try connection.query("UPDATE receivables SET status = 'cancelled', closed_at = coalesce(closed_at, now()) WHERE id = $1", [receivable.id])
                receivable.status = "cancelled"
                receivable.paidCents = receivable.amountCents  // announced with nothing outstanding
                try announce("cancelled", receivable, reason: cancellation.reason, traceparent: traceparent, on: connection)
            } else {
                _ = try entry(taxId, kind: "cancellation", reference: cancellation.number, amount: -amount, on: connection)
            }
            if freed > 0 { try addCredit(freed, taxId: taxId, on: connection) }
            return .receivableCancelled
        }
        // A credit note: what it gave comes back from the credit, and the rest is owed.
        let given = -amount
        _ = try entry(taxId, kind: "cancellation", reference: cancellation.number, amount: given, on: connection)
        let credit: Int64 = try connection.query("SELECT credit_cents FROM customers WHERE tax_id = $1", [taxId])[0].decode(at: 0)
        let takenBack = min(max(credit, 0), given)
        if takenBack > 0 {
            try connection.query("UPDATE customers SET credit_cents = credit_cents - $2 WHERE tax_id = $1", [taxId, takenBack])
        }
        if given > takenBack {
            try open(
                cancellation.number, storeId: cancellation.storeId, issueDate: try CollectionsClock.today(on: connection),
                amount: given - takenBack, taxId: taxId, terms: terms, traceparent: traceparent, on: connection)
        }
        return .creditNoteReversed
    }

    /// Lets `amount` pay the customer's open receivables, oldest first; the rest is credit.
    private static func addCredit(_ amount: Int64, taxId: String, on connection: PostgresConnection) throws {
        let open = try connection.query(
            "SELECT \(columns) FROM receivables WHERE customer_tax_id = $1 AND status = 'open' ORDER BY due_date, id FOR UPDATE", [taxId]
        ).map(receivable)
        _ = try spread(amount, over: open, payment: nil, taxId: taxId, on: connection)
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
