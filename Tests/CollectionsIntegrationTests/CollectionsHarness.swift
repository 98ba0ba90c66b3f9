import AMQPClient
import Contracts
import Foundation
import Testing
import TrastiendaTesting

@testable import collections

/// Collections running in-process against the real broker and database (dunning every 100 ms, a settable clock),
/// with a publisher standing in for billing and a collector of `collections.events`.
struct CollectionsHarness {
    let service: RunningService
    let billing: AMQPConnection
    let events: Seen

    static let settings = CollectionsSettings(dunningInterval: .milliseconds(100), settableClock: true)

    static func with(settings: CollectionsSettings = settings, _ body: (CollectionsHarness) async throws -> Void) async throws {
        try await RunningService.with(Collections.definition(settings: settings)) { service in
            let listen = Topology(
                exchanges: [Exchanges.billingEvents, Exchanges.collectionsEvents, Exchanges.collectionsCommands],
                queues: [.init(name: "test.collections")],
                bindings: [.init(queue: "test.collections", exchange: Exchanges.collectionsEvents.name, routingKey: "#")])
            let billing = AMQPConnection(configuration: service.amqp.named("test-billing"), topology: listen, logger: TestInfrastructure.logger)
            try await billing.declare(listen)
            let harness = CollectionsHarness(service: service, billing: billing, events: Seen())
            do {
                try await running([collector(service.amqp, queue: "test.collections", topology: listen, into: harness.events)]) {
                    try await body(harness)
                }
            } catch {
                await billing.close()
                throw error
            }
            await billing.close()
        }
    }

    func json(_ method: String, _ path: String, body: String? = nil) async throws -> (status: Int, value: Any?, text: String) {
        let response = try await service.request(method, path, body: body)
        return (response.status, try? JSONSerialization.jsonObject(with: Data(response.body.utf8)), response.body)
    }

    /// Publishes documents as billing does: one `billing.invoices.issued.v1` per store, in order.
    func issue(_ documents: [InvoiceIssuedV1]) async throws {
        try await billing.publish(Self.batches(documents))
    }

    static func batches(_ documents: [InvoiceIssuedV1]) -> [OutgoingMessage] {
        var stores: [String] = []
        for document in documents where !stores.contains(document.storeId) { stores.append(document.storeId) }
        return stores.map { store in
            let documents = documents.filter { $0.storeId == store }
            return InvoicesIssuedV1(storeId: store, documents: documents.map { $0.json()[...] }).message(firstNumber: documents[0].number)
        }
    }

    /// A document in the per-invoice form, put straight into collections' queue (as messages queued before billing
    /// announced in batches are).
    static func queuedAlone(_ document: InvoiceIssuedV1) -> OutgoingMessage {
        var message = message(document)
        message.exchange = ""
        message.routingKey = Queues.collectionsInvoiceIssued
        return message
    }

    static func message(_ document: InvoiceIssuedV1) -> OutgoingMessage {
        OutgoingMessage(
            exchange: Exchanges.billingEvents.name, routingKey: document.routingKey, body: document.json(),
            properties: MessageProperties(
                type: document.kind.hasPrefix("R") ? InvoiceIssuedV1.creditNoteType : InvoiceIssuedV1.invoiceType, messageId: document.number))
    }

    func events(_ routingKey: String) -> [Delivery] { events.all.filter { $0.routingKey == routingKey } }
}

/// An F1 invoice (or R1 credit note when `corrects` is given) with `deferred` cents on account.
func document(
    _ number: String, customer: String = "B12345678", deferred: Int64, paidAtTill: Int64 = 0, issued: String = "2026-10-01",
    corrects: String? = nil, store: String = "S001"
) -> InvoiceIssuedV1 {
    let total = deferred + paidAtTill
    var payments: [InvoiceIssuedV1.Payment] = [.init(method: "deferred", amountCents: deferred)]
    if paidAtTill != 0 { payments.append(.init(method: "card", amountCents: paidAtTill)) }
    return InvoiceIssuedV1(
        kind: corrects == nil ? "F1" : "R1", number: number, series: String(number.split(separator: "/")[0]),
        sequence: Int64(number.split(separator: "/")[1])!, issueDate: issued, saleId: UUID().uuidString.lowercased(), storeId: store,
        terminalId: "\(store)-T01", issuer: Party(taxId: "89890001K", name: "Norte SL", address: "Burgos"),
        customer: Party(taxId: customer, name: "Cliente \(customer)", address: "C/ Mayor 1"),
        lines: [.init(sku: "X", description: "X", quantity: corrects == nil ? 1 : -1, unitPriceCents: total, taxRate: 21, discountCents: 0, grossCents: total)],
        taxes: [], totalBaseCents: 0, totalTaxCents: 0, totalSurchargeCents: 0, totalCents: total, corrects: corrects, fingerprint: "F",
        previousFingerprint: "", generatedAt: "2026-10-01T10:00:00+02:00", qrURL: "https://example.test", payments: payments)
}
