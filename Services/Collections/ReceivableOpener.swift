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
        let decoder = JSONDecoder()
        for delivery in batch {
            guard let document = try? decoder.decode(InvoiceIssuedV1.self, from: Data(delivery.body)) else {
                rejections.append(
                    Rejection(deliveryTag: delivery.deliveryTag, code: "collections.malformed_document", reason: "not a billing.invoice.issued.v1 document"))
                continue
            }
            documents.append((document, TraceContext.of(delivery.properties)))
        }
        let toRecord = documents
        let settle = self.settle
        if !toRecord.isEmpty {
            try await database.transaction { connection in
                for (document, traceparent) in toRecord where document.deferredCents != 0 {
                    try Receivables.record(document, traceparent: traceparent, on: connection)
                }
                try TillSessions.record(toRecord.map(\.0), settle: settle, on: connection)
            }
            for (document, traceparent) in toRecord where document.deferredCents != 0 {
                logger.debug(
                    "Invoice on account recorded",
                    metadata: ["invoice.number": .string(document.number), "trace.parent": .string(traceparent ?? "")])
            }
        }
        return rejections
    }
}

/// Collections' consumer of `payment.received`: each payment is recorded and spread once (by payment id), or
/// dead-lettered with the reason it cannot be (an unknown customer, an amount that is not positive).
struct PaymentRecorder: Sendable {
    let database: Database

    func handle(_ batch: [Delivery]) async throws -> [Rejection] {
        var rejections: [Rejection] = []
        for delivery in batch {
            guard let payment = try? JSONDecoder().decode(PaymentReceivedV1.self, from: Data(delivery.body)) else {
                rejections.append(
                    Rejection(
                        deliveryTag: delivery.deliveryTag, code: "payment.malformed",
                        reason: "not a collections.payment.received.v1 (paymentId, customerTaxId, amountCents, invoiceNumber)"))
                continue
            }
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
