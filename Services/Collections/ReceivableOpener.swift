import AMQPClient
import Contracts
import Foundation
import Logging
import PostgresClient
import ServiceRuntime

/// Collections' consumer of billing's documents (`invoices.issued`, one message per store and batch; the per-invoice
/// `invoice.issued` and `credit_note.issued` too, as queued before the batches), in one transaction per batch of
/// messages: documents with a deferred payment open (or, for credit notes, lower) receivables, and documents of till
/// sales go to their till sessions (see ``TillSessions``).
struct ReceivableOpener: Sendable {
    let database: Database
    let settle: Duration
    let activity: BatchActivity
    let logger: Logger
    /// Every terminal keeps till sessions: its documents are kept even before its first session is known.
    var everyTerminalKeepsTill = false

    /// A document as it lies in its message, before it is read.
    private struct Found {
        var deliveryTag: UInt64
        var body: ArraySlice<UInt8>
        var terminal: (store: String, terminal: String)?
        /// Whether it came alone in its message: a broken one is then refused; one among others fails the message,
        /// which is cut into documents (``InvoicesIssuedV1/split``) to refuse that one alone.
        var alone: Bool
        /// Its sale's trace: the message's own for a document alone in the per-invoice form, else its batch's by
        /// number (one dictionary shared by the batch's documents).
        var traceparent: String?
        var traceparents: [String: String] = [:]

        func trace(of number: String) -> String? { traceparent ?? traceparents[number] }
    }

    /// A document that does not decode, among others in its message.
    struct MalformedDocument: Error, CodedFailure, CustomStringConvertible {
        let failureCode = "collections.malformed_document"
        var description: String
    }

    func handle(_ batch: [Delivery]) async throws -> [Rejection] {
        activity.batchStarted()
        var rejections: [Rejection] = []
        var found: [Found] = []
        for delivery in batch {
            if delivery.properties.type == InvoicesIssuedV1.messageType || delivery.routingKey.hasPrefix("invoices.issued.") {
                let issued: InvoicesIssuedV1
                do {
                    issued = try InvoicesIssuedV1.parse(delivery.body)
                } catch {
                    rejections.append(
                        Rejection(
                            deliveryTag: delivery.deliveryTag, code: "collections.malformed_document",
                            reason: "not a billing.invoices.issued.v1: \(error.reason)"))
                    continue
                }
                for document in issued.documents {
                    found.append(
                        Found(
                            deliveryTag: delivery.deliveryTag, body: document,
                            terminal: InvoicesIssuedV1.terminalId(in: document).map { (issued.storeId, $0) },
                            alone: issued.documents.count == 1, traceparents: issued.traceparents))
                }
            } else {
                found.append(
                    Found(
                        deliveryTag: delivery.deliveryTag, body: delivery.body[...], terminal: Self.terminal(of: delivery.routingKey),
                        alone: true, traceparent: TraceContext.of(delivery.properties)))
            }
        }
        // Most documents were paid at the till, by a terminal that keeps no till sessions: only those that mention a
        // deferred payment or a till session, or whose terminal has had a session, are read (all of them when every
        // terminal keeps sessions).
        let deferred = Array(#""deferred""#.utf8), named = Array(#""tillSessionId""#.utf8)
        // nil: every terminal's documents are kept.
        let withTills = everyTerminalKeepsTill ? nil : try await terminalsWithTills(found.compactMap(\.terminal))
        var documents: [(InvoiceIssuedV1, traceparent: String?)] = []
        for document in found {
            let mentioned = document.body.firstRange(ofBytes: deferred) != nil || document.body.firstRange(ofBytes: named) != nil
            let keepsTill = document.terminal.map { withTills?.contains("\($0.store)/\($0.terminal)") ?? true } ?? true
            guard mentioned || keepsTill else { continue }
            do {
                let decoded = try JSONDecoder().decode(InvoiceIssuedV1.self, from: Data(document.body))
                documents.append((decoded, document.trace(of: decoded.number)))
            } catch {
                let reason = "not a billing.invoice.issued.v1 document: \(MessageDecoding.describe(error))"
                guard document.alone else { throw MalformedDocument(description: reason) }
                rejections.append(Rejection(deliveryTag: document.deliveryTag, code: "collections.malformed_document", reason: reason))
            }
        }
        let toRecord = documents
        let settle = self.settle
        if !toRecord.isEmpty {
            try await database.transaction { connection in
                let terms = try Receivables.lockCustomers(of: toRecord.map(\.0), on: connection)
                let onAccount = toRecord.filter { $0.0.deferredCents != 0 }
                // A document billing cancelled before this service read it is not booked (see Receivables.cancel).
                let cancelled = try Receivables.cancelledNumbers(among: onAccount.map(\.0.number), on: connection)
                for (document, traceparent) in onAccount where !cancelled.contains(document.number) {
                    try Receivables.record(document, terms: terms, traceparent: traceparent, on: connection)
                }
                try TillSessions.record(toRecord.map(\.0), withTills: withTills, settle: settle, on: connection)
            }
            for (document, traceparent) in toRecord where document.deferredCents != 0 {
                logger.debug(
                    "Invoice on account recorded",
                    metadata: ["invoice.number": .string(document.number), "trace.parent": .string(traceparent ?? "")])
            }
        }
        activity.batchCommitted(handled: found.count)
        return rejections
    }

    /// The store and terminal an `invoice.issued.<store>.<terminal>` (or a credit note's) names.
    static func terminal(of routingKey: String) -> (store: String, terminal: String)? {
        let parts = routingKey.split(separator: ".")
        return parts.count >= 4 ? (String(parts[parts.count - 2]), String(parts[parts.count - 1])) : nil
    }

    private func terminalsWithTills(_ terminals: [(store: String, terminal: String)]) async throws -> Set<String> {
        var seen: Set<String> = []
        let unique = terminals.filter { seen.insert("\($0.store)/\($0.terminal)").inserted }
        guard !unique.isEmpty else { return [] }
        return try await database.transaction { try TillSessions.terminalsWithSessions(unique, on: $0) }
    }
}

/// Collections' consumer of `payment.received`: each payment is recorded and spread once (by payment id), or
/// dead-lettered with the reason it cannot be (an unknown customer, an amount that is not positive).
struct PaymentRecorder: Sendable {
    let database: Database

    func handle(_ batch: [Delivery]) async throws -> [Rejection] {
        var rejections: [Rejection] = []
        for delivery in batch {
            guard
                let payment = delivery.decodeBody(
                    PaymentReceivedV1.self, refusing: "payment.malformed",
                    expected: "a collections.payment.received.v1 (paymentId, customerTaxId, amountCents, invoiceNumber)", into: &rejections)
            else { continue }
            do {
                _ = try await database.transaction { try Receivables.pay(payment, on: $0) }
            } catch let refusal as Refusal {
                rejections.append(
                    Rejection(
                        deliveryTag: delivery.deliveryTag, code: refusal.kind == .notFound ? "payment.unknown_customer" : "payment.invalid",
                        reason: refusal.message))
            }
        }
        return rejections
    }
}
