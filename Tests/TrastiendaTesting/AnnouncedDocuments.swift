import AMQPClient
import Contracts
import Foundation

extension Seen {
    /// The documents billing announced in its batches (`billing.invoices.issued.v1`), each as its bytes, in order.
    package var batchedDocuments: [[UInt8]] {
        all.filter { $0.properties.type == InvoicesIssuedV1.messageType }.flatMap { delivery in
            ((try? InvoicesIssuedV1.parse(delivery.body))?.documents ?? []).map { Array($0) }
        }
    }

    /// The same, read.
    package func invoices() throws -> [InvoiceIssuedV1] {
        try batchedDocuments.map { try JSONDecoder().decode(InvoiceIssuedV1.self, from: Data($0)) }
    }

    /// The messages of one document each (the per-invoice form, `invoice.issued.<store>.<terminal>`).
    package var perInvoice: [Delivery] {
        all.filter { $0.properties.type == InvoiceIssuedV1.invoiceType || $0.properties.type == InvoiceIssuedV1.creditNoteType }
    }
}
