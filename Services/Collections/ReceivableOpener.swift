import AMQPClient
import Contracts
import Foundation
import Logging
import PostgresClient
import ServiceRuntime

/// Collections' consumer of `invoice.issued` and `credit_note.issued`, in one transaction per batch: documents with
/// a deferred payment open (or, for credit notes, lower) receivables, and documents of till sales go to their till
/// sessions (see ``TillSessions``).
struct ReceivableOpener: Sendable {
    let database: Database
    let settle: Duration
    let logger: Logger

    func handle(_ batch: [Delivery]) async throws -> [Rejection] {
        var rejections: [Rejection] = []
        var documents: [(InvoiceIssuedV1, traceparent: String?)] = []
        // Most documents were paid at the till, by a terminal that keeps no till sessions: only those that mention a
        // deferred payment or a till session, or whose terminal (named in the routing key) has had a session, are read.
        let deferred = Array(#""deferred""#.utf8), named = Array(#""tillSessionId""#.utf8)
        let mentioned = batch.map { $0.body.contains(bytes: deferred) || $0.body.contains(bytes: named) }
        let withTills = try await terminalsWithTills(batch.map(\.routingKey))
        for (index, delivery) in batch.enumerated() {
            let terminal = Self.terminal(of: delivery.routingKey)
            guard mentioned[index] || terminal.map({ withTills.contains("\($0.store)/\($0.terminal)") }) == true else { continue }
            guard
                let document = delivery.decodeBody(
                    InvoiceIssuedV1.self, refusing: "collections.malformed_document", expected: "a billing.invoice.issued.v1 document",
                    into: &rejections)
            else { continue }
            documents.append((document, TraceContext.of(delivery.properties)))
        }
        let toRecord = documents
        let settle = self.settle
        if !toRecord.isEmpty {
            try await database.transaction { connection in
                try Receivables.lockCustomers(of: toRecord.map(\.0), on: connection)
                for (document, traceparent) in toRecord where document.deferredCents != 0 {
                    try Receivables.record(document, traceparent: traceparent, on: connection)
                }
                try TillSessions.record(toRecord.map(\.0), withTills: withTills, settle: settle, on: connection)
            }
            for (document, traceparent) in toRecord where document.deferredCents != 0 {
                logger.debug(
                    "Invoice on account recorded",
                    metadata: ["invoice.number": .string(document.number), "trace.parent": .string(traceparent ?? "")])
            }
        }
        return rejections
    }

    /// The store and terminal an `invoice.issued.<store>.<terminal>` (or a credit note's) names.
    static func terminal(of routingKey: String) -> (store: String, terminal: String)? {
        let parts = routingKey.split(separator: ".")
        return parts.count >= 4 ? (String(parts[parts.count - 2]), String(parts[parts.count - 1])) : nil
    }

    private func terminalsWithTills(_ routingKeys: [String]) async throws -> Set<String> {
        let terminals = routingKeys.compactMap(Self.terminal(of:))
        guard !terminals.isEmpty else { return [] }
        return try await database.transaction { try TillSessions.terminalsWithSessions(terminals, on: $0) }
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
