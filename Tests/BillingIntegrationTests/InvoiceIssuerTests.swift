import AMQPClient
import Contracts
import Foundation
import PostgresClient
import ServiceRuntime
import Testing
import TrastiendaTesting

@testable import billing

@Suite("Billing turns recorded sales into invoices")
struct InvoiceIssuerTests {
    func sale(_ id: String = UUID().uuidString.lowercased(), total: Int64 = 1_210, returnOf: String? = nil) -> POSSaleV1 {
        let sign: Int64 = returnOf == nil ? 1 : -1
        return POSSaleV1(
            saleId: id, storeId: "S001", terminalId: "S001-T01", receiptNumber: Int64.random(in: 1...1_000_000),
            occurredAt: "2026-11-29T10:15:00+01:00", cashierId: "E1", currency: "EUR", customer: nil,
            lines: [.init(sku: "DET-005", description: "Detergente", quantity: sign, unitPrice: total, taxRate: 21, discount: 0)],
            payments: [.init(method: "card", amount: sign * total)], total: sign * total, returnOf: returnOf.map { .init(saleId: $0) })
    }

    func announcement(_ sales: [POSSaleV1]) -> OutgoingMessage {
        let body = try! JSONEncoder().encode(SaleRecordedV1(storeId: "S001", recordedAt: "2026-11-29T09:15:01Z", sales: sales))
        return OutgoingMessage(
            exchange: Exchanges.salesEvents.name, routingKey: SaleRecordedV1.routingKey(storeId: "S001"), body: Array(body),
            properties: MessageProperties(type: SaleRecordedV1.messageType, messageId: UUID().uuidString))
    }

    /// Billing running with an issuer for S001, a till to publish `sale.recorded` and a collector of what billing
    /// announces; the collector runs while `body` does.
    func withBilling(
        _ definition: ServiceDefinition = Billing.definition, _ body: (RunningService, AMQPConnection, Seen) async throws -> Void
    ) async throws {
        try await RunningService.with(definition) { service in
            let put = try await service.request(
                "PUT", "/issuers/89890001K", body: #"{"legalName":"Trastienda Norte SL","address":"C/ Real 1","stores":["S001"]}"#)
            #expect(put.status == 200)
            let listen = Topology(
                exchanges: [Exchanges.salesEvents, Exchanges.billingEvents], queues: [.init(name: "test.invoices")],
                bindings: [.init(queue: "test.invoices", exchange: Exchanges.billingEvents.name, routingKey: "#")])
            let issued = Seen()
            let till = AMQPConnection(configuration: service.amqp.named("test-intake"), topology: listen, logger: TestInfrastructure.logger)
            try await till.declare(listen)
            do {
                try await running([collector(service.amqp, queue: "test.invoices", topology: listen, into: issued)]) {
                    try await body(service, till, issued)
                }
            } catch {
                await till.close()
                throw error
            }
            await till.close()
        }
    }

    @Test("sales become F2 invoices numbered in their series, a return an R5 naming its invoice; redelivery issues nothing new")
    func invoicesAndCreditNotes() async throws {
        try await withBilling { service, till, issued in
            let sales = [sale(), sale(), sale()]
            // The return comes first, in its own announcement: it waits until its sale is invoiced.
            try await till.publish(announcement([sale(returnOf: sales[0].saleId)]))
            try await till.publish(announcement(sales))
            #expect(await eventually(timeout: .seconds(30)) { issued.batchedDocuments.count >= 4 })
            try await till.publish(announcement([sales[1]]))  // a redelivery
            #expect(await eventually { issued.batchedDocuments.count >= 5 })
            let documents = try issued.invoices()
            let invoices = documents.filter { $0.kind == "F2" }
            #expect(Set(invoices.map(\.number)) == ["S001-2026/1", "S001-2026/2", "S001-2026/3"])
            #expect(invoices.allSatisfy { $0.totalCents == 1_210 && $0.totalBaseCents == 1_000 && $0.totalTaxCents == 210 })
            let credit = try #require(documents.first { $0.kind == "R5" })
            #expect(credit.number == "R-S001-2026/1")
            #expect(credit.corrects == documents.first { $0.saleId == sales[0].saleId }?.number)
            #expect(credit.totalCents == -1_210)
            #expect(credit.qrURL.contains("numserie=R-S001-2026%2F1"))
            // One message per store and batch, and none of one document by default.
            #expect(issued.all.allSatisfy { $0.routingKey == "invoices.issued.S001" && $0.properties.type == InvoicesIssuedV1.messageType })
            #expect(issued.perInvoice.isEmpty)
            let chain = try await service.request("GET", "/issuers/89890001K/chain")
            #expect(chain.body == #"{"issuer":"89890001K","records":4,"valid":true,"firstBroken":null}"#)
            let one = try await service.request("GET", "/invoices/S001-2026/2")
            #expect(one.status == 200 && one.body.contains("S001-2026/2"), "\(one.body)")
            #expect(try await service.request("GET", "/invoices/S001-2026/99").status == 404)
            #expect(try await service.request("GET", "/invoices/S001-2026/two").status == 400)
            let day = try await service.request("GET", "/invoices?store=S001&from=2026-11-29&to=2026-11-29")
            struct Page: Decodable { var items: [InvoiceIssuedV1]; var next: String? }
            let listed = try JSONDecoder().decode(Page.self, from: Data(day.body.utf8)).items
            #expect(listed.count == 4)
            #expect(try await service.request("GET", "/invoices?store=S001&from=29-11-2026").status == 400)
            #expect(try await service.request("GET", "/invoices").status == 400)
            let series = try await service.request("GET", "/series")
            #expect(series.body.contains(#""nextNumber":4"#), "\(series.body)")
        }
    }

    @Test("a return of a ticket that a full invoice substituted corrects that invoice (the F3), naming its customer")
    func returnOfSubstitutedTicket() async throws {
        try await withBilling { service, till, issued in
            let ticket = sale(total: 2_420)
            try await till.publish(announcement([ticket]))
            #expect(await eventually { issued.batchedDocuments.count >= 1 })
            let substitution = try await service.request(
                "POST", "/invoices/S001-2026/1/substitution",
                body: #"{"customer":{"taxId":"B12345674","name":"Ultramarinos Pepe SL","address":"C/ Mayor 2"}}"#)
            #expect(substitution.status == 201 && substitution.body.contains(#""kind":"F3""#), "\(substitution.body)")
            try await till.publish(announcement([sale(total: 2_420, returnOf: ticket.saleId)]))
            #expect(await eventually(timeout: .seconds(30)) { (try? issued.invoices().contains { $0.totalCents < 0 }) == true })
            let credit = try #require(try issued.invoices().first { $0.totalCents < 0 })
            #expect(credit.kind == "R1")
            #expect(credit.corrects == "S001-2026/2", "the F3 is S001-2026/2; the ticket S001-2026/1 is substituted")
            #expect(credit.customer?.taxId == "B12345674" && credit.customer?.name == "Ultramarinos Pepe SL")
            #expect(credit.totalCents == -2_420)
            let record = try await service.request("GET", "/invoices/\(credit.number)/record.xml")
            #expect(record.status == 200 && record.body.contains("<sf:NumSerieFactura>S001-2026/2</sf:NumSerieFactura>"), "\(record.body)")
            let chain = try await service.request("GET", "/issuers/89890001K/chain")
            #expect(chain.body == #"{"issuer":"89890001K","records":3,"valid":true,"firstBroken":null}"#)
        }
    }

    @Test("a customer under the equivalence surcharge gets a full invoice with the surcharge")
    func equivalenceSurcharge() async throws {
        try await withBilling { service, till, issued in
            let put = try await service.request("PUT", "/customers/B12345678/equivalence-surcharge", body: #"{"applies":true}"#)
            #expect(put.status == 200)
            #expect(try await service.request("PUT", "/customers/B12345678/equivalence-surcharge", body: "yes").status == 400)
            var shop = sale(total: 12_620)
            shop.customer = .init(taxId: "B12345678", name: "Ultramarinos Pepe SL", address: "C/ Mayor 2")
            try await till.publish(announcement([shop]))
            #expect(await eventually { issued.batchedDocuments.count >= 1 })
            let document = try #require(try issued.invoices().first)
            #expect(document.kind == "F1")
            #expect(document.customer?.name == "Ultramarinos Pepe SL")
            #expect(document.taxes == [.init(rate: 21, baseCents: 10_000, taxCents: 2_100, surchargeBasisPoints: 520, surchargeCents: 520)])
            #expect(document.totalCents == 12_620)
        }
    }

    @Test("with per-invoice events on, every document is also announced alone, under its store and terminal, exactly as in its batch")
    func perInvoiceEvents() async throws {
        try await withBilling(Billing.definitionWithPerInvoiceEvents) { service, till, issued in
            let sales = [sale(), sale()]
            try await till.publish(announcement(sales + [sale(returnOf: sales[0].saleId)]))
            #expect(await eventually(timeout: .seconds(30)) { issued.batchedDocuments.count >= 3 && issued.perInvoice.count >= 3 })
            #expect(issued.perInvoice.map(\.body) == issued.batchedDocuments)
            #expect(issued.perInvoice.map(\.routingKey) == ["invoice.issued.S001.S001-T01", "invoice.issued.S001.S001-T01", "credit_note.issued.S001.S001-T01"])
            #expect(issued.perInvoice.map(\.properties.type) == [InvoiceIssuedV1.invoiceType, InvoiceIssuedV1.invoiceType, InvoiceIssuedV1.creditNoteType])
            #expect(issued.perInvoice.map(\.properties.messageId) == ["S001-2026/1", "S001-2026/2", "R-S001-2026/1"])
        }
    }
}
