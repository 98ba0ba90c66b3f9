import AMQPClient
import Contracts
import Foundation
import PostgresClient
import Testing
import TrastiendaTesting

@testable import billing

func validateAgainstSchema(_ records: [String], issuer: String = "89890001K") async throws -> (status: Int32, output: String) {
    try await VerifactuSchema.validate(records, issuer: issuer)
}

@Suite("VERI*FACTU billing records of real invoices", .serialized)
struct BillingRecordIntegrationTests {
    static func sale(
        store: String = "S001", lines: [(rate: Int64, cents: Int64)], customer: POSSaleV1.Customer? = nil, returnOf: POSSaleV1? = nil,
        deferred: Bool = false
    ) -> POSSaleV1 {
        RecordedSaleFixtures.sale(store: store, lines: lines, customer: customer, returnOf: returnOf, deferred: deferred)
    }

    static func announcement(_ sales: [POSSaleV1], store: String = "S001") throws -> OutgoingMessage {
        try RecordedSaleFixtures.announcement(sales, store: store)
    }

    @Test("every kind of invoice gets a record that validates against SuministroLR.xsd; records are append-only; a tampered invoice breaks the chain at its number; a store sold mid-year starts a new series")
    func recordsOfEveryKind() async throws {
        try await RunningService.with(Billing.definition) { service in
            #expect(try await service.request(
                "PUT", "/issuers/89890001K", body: #"{"legalName":"Trastienda Norte & Hijos SL","address":"C/ Real 1","stores":["S001"]}"#).status == 200)
            #expect(try await service.request("PUT", "/customers/A58818501/equivalence-surcharge", body: #"{"applies":true}"#).status == 200)
            let spanish = POSSaleV1.Customer(taxId: "B12345674", name: "Talleres <Norte> SL", address: "C/ Mayor 1")
            let foreign = POSSaleV1.Customer(taxId: "FR40303265045", name: String(repeating: "Société Générale ", count: 10), address: "Paris")
            let unregistered = POSSaleV1.Customer(taxId: "B12345678", name: "Sin Censar SL", address: "Burgos")
            let surcharged = POSSaleV1.Customer(taxId: "A58818501", name: "Ultramarinos Pepe SA", address: "C/ Mayor 2")
            let ticket = Self.sale(lines: [(21, 1_210), (10, 550), (4, 104), (0, 300)])
            let full = Self.sale(lines: [(21, 12_100)], customer: spanish, deferred: true)
            let first = [
                ticket, full, Self.sale(lines: [(10, 2_200)], customer: foreign), Self.sale(lines: [(21, 999)], customer: unregistered),
                Self.sale(lines: [(21, 12_620), (10, 1_140)], customer: surcharged), Self.sale(lines: [(21, 400_000)]),
                Self.sale(lines: [(0, 100)]),
            ]
            let returnsInBatch = [Self.sale(lines: [(21, 1_210)], returnOf: ticket)]  // R5 of an invoice in the same batch
            let intake = AMQPConnection(configuration: service.amqp.named("test-intake"), topology: Topology(exchanges: [Exchanges.salesEvents]), logger: TestInfrastructure.logger)
            try await intake.publish(try Self.announcement(first + returnsInBatch))
            let database = Database(.init(url: service.databaseURL, searchPath: "billing", poolSize: 1), logger: TestInfrastructure.logger)
            defer { database.close() }
            func invoices() async throws -> [(series: String, number: Int64, kind: String)] {
                try await database.query("SELECT series, number, kind FROM invoices ORDER BY chain_position").map {
                    (try $0.decode(String.self, at: 0), try $0.decode(Int64.self, at: 1), try $0.decode(String.self, at: 2))
                }
            }
            #expect(await eventually(timeout: .seconds(30)) { (try? await invoices().count) == 8 })
            try await intake.publish(try Self.announcement([Self.sale(lines: [(21, 12_100)], returnOf: full)]))  // R1 of an earlier invoice
            #expect(await eventually(timeout: .seconds(30)) { (try? await invoices().count) == 9 })

            let issued = try await invoices()
            #expect(Set(issued.map(\.kind)) == ["F1", "F2", "R1", "R5"])
            var records: [String] = []
            for invoice in issued {
                let response = try await service.request("GET", "/invoices/\(invoice.series)/\(invoice.number)/record.xml")
                #expect(response.status == 200 && response.contentType?.hasPrefix("application/xml") == true)
                records.append(response.body)
            }
            let validation = try await validateAgainstSchema(records)
            #expect(validation.status == 0, "the records validate against SuministroLR.xsd:\n\(validation.output)")
            let mangled = try await validateAgainstSchema([records[0].replacingOccurrences(of: "<sf:TipoHuella>01", with: "<sf:TipoHuella>99")])
            #expect(mangled.status != 0 && mangled.output.contains("TipoHuella"), "the schema check can fail: \(mangled.output)")
            #expect(try await service.request("GET", "/invoices/S001-2026/99/record.xml").status == 404)

            // What the records say, beyond the schema.
            #expect(records[0].contains("<sf:PrimerRegistro>S</sf:PrimerRegistro>") && records[0].contains("<sf:TipoFactura>F2</sf:TipoFactura>"))
            #expect(!records[0].contains("Destinatarios"), "a simplified invoice names no recipient")
            #expect(records[1].contains("<sf:RegistroAnterior><sf:IDEmisorFactura>89890001K</sf:IDEmisorFactura><sf:NumSerieFactura>S001-2026/1</sf:NumSerieFactura>"))
            #expect(records[1].contains("<sf:NIF>B12345674</sf:NIF>") && records[1].contains("Talleres &lt;Norte&gt; SL"))
            #expect(records[2].contains("<sf:CodigoPais>FR</sf:CodigoPais><sf:IDType>02</sf:IDType><sf:ID>FR40303265045</sf:ID>"))
            #expect(records[3].contains("<sf:IDType>07</sf:IDType>"), "a Spanish tax id that does not check is not a NIF")
            #expect(records[4].contains("<sf:TipoRecargoEquivalencia>5.2</sf:TipoRecargoEquivalencia>"))
            #expect(records[5].contains("<sf:FacturaSinIdentifDestinatarioArt61d>S</sf:FacturaSinIdentifDestinatarioArt61d>"))
            #expect(records[6].contains("<sf:TipoImpositivo>0</sf:TipoImpositivo>"))
            #expect(records[7].contains("<sf:TipoFactura>R5</sf:TipoFactura><sf:TipoRectificativa>I</sf:TipoRectificativa>")
                && records[7].contains("<sf:IDFacturaRectificada><sf:IDEmisorFactura>89890001K</sf:IDEmisorFactura><sf:NumSerieFactura>S001-2026/1</sf:NumSerieFactura><sf:FechaExpedicionFactura>29-11-2026</sf:FechaExpedicionFactura>"))
            #expect(records[8].contains("<sf:TipoFactura>R1</sf:TipoFactura>") && records[8].contains("<sf:NumSerieFactura>S001-2026/2</sf:NumSerieFactura><sf:FechaExpedicionFactura>29-11-2026"))
            // Amounts written as they were hashed.
            let fingerprints = try await database.query("SELECT fingerprint, tax_cents, total_cents FROM invoices ORDER BY chain_position")
            for (index, row) in fingerprints.enumerated() {
                #expect(records[index].contains("<sf:Huella>\(try row.decode(String.self, at: 0))</sf:Huella></sf:RegistroAlta>"))
                #expect(records[index].contains("<sf:CuotaTotal>\(Money.decimal(try row.decode(at: 1)))</sf:CuotaTotal><sf:ImporteTotal>\(Money.decimal(try row.decode(at: 2)))</sf:ImporteTotal>"))
            }

            // Append-only: billing's own statements cannot change or remove an invoice or its record.
            for statement in ["UPDATE invoices SET total_cents = total_cents + 1", "UPDATE invoices SET record = ''", "DELETE FROM invoices", "TRUNCATE invoices"] {
                await #expect(throws: PostgresError.self, "\(statement)") { try await database.query(statement) }
            }
            #expect(try await invoices().count == 9)
            // An invoice's issuer stays: it can be neither removed nor renamed (its name and address may change).
            for statement in ["DELETE FROM issuers", "UPDATE issuers SET tax_id = 'B12345674'", "TRUNCATE issuers CASCADE"] {
                await #expect(throws: PostgresError.self, "\(statement)") { try await database.query(statement) }
            }
            try await database.query("UPDATE issuers SET address = address")
            #expect(try await database.query("SELECT count(*) FROM issuers")[0].decode(Int.self, at: 0) >= 1)
            // Changed after the fact around the trigger (a superuser's replica session): the chain check names it.
            try await database.transaction { connection in
                try connection.query("SET LOCAL session_replication_role = replica")
                try connection.query("UPDATE invoices SET total_cents = total_cents + 1 WHERE series = 'S001-2026' AND number = 3")
            }
            let broken = try await service.request("GET", "/issuers/89890001K/chain")
            #expect(broken.body.contains(#""valid":false"#) && broken.body.contains(#""firstBroken":"S001-2026/3""#), "\(broken.body)")
            try await database.transaction { connection in
                try connection.query("SET LOCAL session_replication_role = replica")
                try connection.query("UPDATE invoices SET total_cents = total_cents - 1 WHERE series = 'S001-2026' AND number = 3")
            }

            // A cancellation: an annulment record in the chain, the number kept, the event out through the outbox.
            let listen = Topology(
                exchanges: [Exchanges.billingEvents], queues: [.init(name: "test.cancellations")],
                bindings: [.init(queue: "test.cancellations", exchange: Exchanges.billingEvents.name, routingKey: "invoice.cancelled.#")])
            try await intake.declare(listen)
            let cancelledEvents = Seen()
            try await running([collector(service.amqp, queue: "test.cancellations", topology: listen, into: cancelledEvents)]) {
                let cancel = try await service.request("POST", "/invoices/S001-2026/3/cancellation", body: #"{"reason":"issued to the wrong customer"}"#)
                #expect(cancel.status == 201, "\(cancel.body)")
                #expect(try await service.request("POST", "/invoices/S001-2026/3/cancellation", body: #"{"reason":"again"}"#).status == 409)
                #expect(try await service.request("POST", "/invoices/S001-2026/99/cancellation", body: #"{"reason":"x"}"#).status == 404)
                #expect(try await service.request("POST", "/invoices/S001-2026/4/cancellation", body: #"{"reason":""}"#).status == 400)
                #expect(await eventually { cancelledEvents.count == 1 })
            }
            let event = try JSONDecoder().decode(InvoiceCancelledV1.self, from: Data(try #require(cancelledEvents.all.first).body))
            #expect(event.number == "S001-2026/3" && event.reason == "issued to the wrong customer" && event.issuerTaxId == "89890001K")
            #expect(cancelledEvents.all.first?.routingKey == "invoice.cancelled.S001.S001-T01")
            let annulment = try await service.request("GET", "/invoices/S001-2026/3/cancellation.xml")
            #expect(annulment.status == 200 && annulment.body.contains("<sf:NumSerieFacturaAnulada>S001-2026/3</sf:NumSerieFacturaAnulada>"))
            #expect(annulment.body.contains("<sf:Huella>\(event.fingerprint)</sf:Huella>"))
            #expect(annulment.body.contains("<sf:RegistroAnterior>") && annulment.body.contains("<sf:Huella>\(event.previousFingerprint)</sf:Huella>"))
            #expect(try await service.request("GET", "/invoices/S001-2026/4/cancellation.xml").status == 404)
            let annulmentValidation = try await validateAgainstSchema([records[0], annulment.body])
            #expect(annulmentValidation.status == 0, "\(annulmentValidation.output)")
            let afterCancellation = try await service.request("GET", "/issuers/89890001K/chain")
            #expect(afterCancellation.body.contains(#""records":10,"valid":true"#), "\(afterCancellation.body)")
            #expect(try await service.request("GET", "/invoices/S001-2026/3").status == 200, "a cancelled invoice keeps its number and document")
            // The next record names the annulment as the one before it.
            try await intake.publish(try Self.announcement([Self.sale(lines: [(21, 700)])]))
            #expect(await eventually(timeout: .seconds(30)) { (try? await invoices().count) == 10 })
            let next = try await service.request("GET", "/invoices/S001-2026/8/record.xml")
            #expect(next.body.contains("<sf:RegistroAnterior><sf:IDEmisorFactura>89890001K</sf:IDEmisorFactura><sf:NumSerieFactura>S001-2026/3</sf:NumSerieFactura>")
                && next.body.contains("<sf:Huella>\(event.fingerprint)</sf:Huella></sf:RegistroAnterior>"), "\(next.body)")
            #expect(try await service.request("GET", "/issuers/89890001K/chain").body.contains(#""records":11,"valid":true"#))

            // The store is sold mid-year: the new issuer's first invoice there is number 1 of a new series.
            #expect(try await service.request(
                "PUT", "/issuers/B12345674", body: #"{"legalName":"Nuevo Dueño SL","address":"C/ Nueva 2","stores":["S001"]}"#).status == 200)
            try await intake.publish(try Self.announcement([Self.sale(lines: [(21, 500)]), Self.sale(lines: [(21, 600)])]))
            #expect(await eventually(timeout: .seconds(30)) { (try? await invoices().count) == 12 })
            let moved = try await database.query("SELECT series, number, issuer_tax_id, record FROM invoices WHERE issuer_tax_id = 'B12345674' ORDER BY number")
            #expect(try moved.map { try $0.decode(String.self, at: 0) } == ["S001-2026-2", "S001-2026-2"])
            #expect(try moved.map { try $0.decode(Int64.self, at: 1) } == [1, 2])
            #expect(try moved[0].decode(String.self, at: 3).contains("<sf:PrimerRegistro>S</sf:PrimerRegistro>"), "the new issuer's own chain")
            #expect(try await database.query("SELECT next_number FROM series WHERE code = 'S001-2026'")[0].decode(Int64.self, at: 0) == 9, "the old series stays closed where it was")
            for issuer in ["89890001K", "B12345674"] {
                let chain = try await service.request("GET", "/issuers/\(issuer)/chain")
                #expect(chain.body.contains(#""valid":true"#), "\(issuer): \(chain.body)")
            }
            let newRecords = try moved.map { try $0.decode(String.self, at: 3) }
            let newValidation = try await validateAgainstSchema(newRecords, issuer: "B12345674")
            #expect(newValidation.status == 0, "\(newValidation.output)")
            await intake.close()
        }
    }
}
