import AMQPClient
import Contracts
import Foundation
import Logging
import PostgresClient
import ServiceRuntime

/// Collections' consumer of `invoice.issued` and `credit_note.issued`: documents with a deferred payment open (or,
/// for credit notes, lower) receivables, in one transaction per batch; the rest are acknowledged untouched.
struct ReceivableOpener: Sendable {
    let database: Database
    let logger: Logger

    func handle(_ batch: [Delivery]) async throws -> [Rejection] {
        var rejections: [Rejection] = []
        var documents: [(InvoiceIssuedV1, traceparent: String?)] = []
        let deferred = Array(#""deferred""#.utf8)
        let decoder = JSONDecoder()
        for delivery in batch {
            // Most documents were paid at the till: only those that mention a deferred payment are decoded.
            guard delivery.body.firstRange(of: deferred) != nil else { continue }
            guard let document = try? decoder.decode(InvoiceIssuedV1.self, from: Data(delivery.body)) else {
                rejections.append(
                    Rejection(deliveryTag: delivery.deliveryTag, code: "collections.malformed_document", reason: "not a billing.invoice.issued.v1 document"))
                continue
            }
            documents.append((document, TraceContext.of(delivery.properties)))
        }
        let toRecord = documents
        if !toRecord.isEmpty {
            try await database.transaction { connection in
                for (document, traceparent) in toRecord { try Receivables.record(document, traceparent: traceparent, on: connection) }
            }
            for (document, traceparent) in toRecord {
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
