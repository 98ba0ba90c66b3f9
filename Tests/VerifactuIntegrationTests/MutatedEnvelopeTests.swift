import AMQPClient
import Contracts
import Foundation
import PostgresClient
import Testing
import TrastiendaTesting

@testable import billing

/// Real billing records, sent to the agency simulator as they are and mutated, one fault at a time: each fault
/// comes back with its own code, and the simulator keeps the chain as the agency would.
@Suite("The agency simulator refuses each kind of fault with its own code", .serialized)
struct MutatedEnvelopeTests {
    static let issuer = "89890001K"

    @Test("schema, fingerprint, chain, duplicate, issuer, recipient, credit note, amounts, NIF, flags, too many records, refuse mode")
    func eachFaultItsCode() async throws {
        let agency = try await AgencySimulator(issuers: [Self.issuer], waitSeconds: 0)
        defer { agency.stop() }
        try await RunningService.with(Billing.definition) { service in
            #expect(try await service.request("PUT", "/issuers/\(Self.issuer)", body: #"{"legalName":"Norte SL","address":"Burgos","stores":["S001"]}"#).status == 200)
            let spanish = POSSaleV1.Customer(taxId: "B12345674", name: "Talleres Norte SL", address: "C/ Mayor 1")
            let ticket = RecordedSaleFixtures.sale(lines: [(21, 1_210), (10, 550)])
            let full = RecordedSaleFixtures.sale(lines: [(21, 12_100), (4, 104)], customer: spanish)
            let sales = [
                ticket, full, RecordedSaleFixtures.sale(lines: [(10, 300)]), RecordedSaleFixtures.sale(lines: [(21, 1_210)], returnOf: ticket),
                RecordedSaleFixtures.sale(lines: [(21, 2_420)], customer: spanish), RecordedSaleFixtures.sale(lines: [(0, 100)]),
                RecordedSaleFixtures.sale(lines: [(21, 12_100)], returnOf: full), RecordedSaleFixtures.sale(lines: [(4, 208)]),
                RecordedSaleFixtures.sale(lines: [(10, 1_100)]),
            ]
            let intake = AMQPConnection(configuration: service.amqp.named("test-intake"), topology: Topology(exchanges: [Exchanges.salesEvents]), logger: TestInfrastructure.logger)
            try await intake.publish(try RecordedSaleFixtures.announcement(sales))
            await intake.close()
            let database = Database(.init(url: service.databaseURL, searchPath: "billing", poolSize: 1), logger: TestInfrastructure.logger)
            defer { database.close() }
            #expect(await eventually(timeout: .seconds(30)) { (try? await database.query("SELECT count(*) FROM invoices")[0].decode(Int.self, at: 0)) == 9 })
            let rows = try await database.query("SELECT kind, series, number, record FROM invoices ORDER BY chain_position")
            let records = try rows.map { row in
                SubmissionStore.PendingRecord(
                    position: 0, operation: .alta, series: try row.decode(at: 1), number: try row.decode(at: 2), xml: try row.decode(at: 3))
            }
            let kinds = try rows.map { try $0.decode(String.self, at: 0) }
            #expect(kinds == ["F2", "F1", "F2", "R5", "F1", "F2", "R1", "F2", "F2"], "\(kinds)")

            let client = AgencyClient(settings: try AgencySettings.load(environment: agency.billingEnvironment))
            defer { Task { await client.shutdown() } }
            let certificate = try #require(AgencySettings.load(environment: agency.billingEnvironment).issuersWithCertificates()[Self.issuer])
            /// The code the agency gives the first record of an envelope of `records` (or the envelope's fault code).
            func code(_ records: [SubmissionStore.PendingRecord], header: String = Self.issuer, _ change: (String) -> String = { $0 }) async throws -> Int? {
                let mutated = records.map { SubmissionStore.PendingRecord(position: 0, operation: .alta, series: $0.series, number: $0.number, xml: change($0.xml)) }
                let reply = try await client.post(
                    SubmissionEnvelope.text(issuerTaxId: header, issuerName: "Norte SL", late: false, records: mutated), issuer: Self.issuer,
                    certificate: certificate)
                switch AgencyAnswer.read(reply.body) {
                case .refused(let code, _): return code
                case .answered(let answer): return answer.lines.first.map { $0.state == "Correcto" ? 0 : $0.errorCode ?? -1 }
                case nil: return -2
                }
            }
            func replacing(_ old: String, _ new: String) -> (String) -> String {
                { xml in
                    #expect(xml.contains(old), "the record has \(old)")
                    return xml.replacingOccurrences(of: old, with: new)
                }
            }
            func between(_ element: String, _ new: String) -> (String) -> String {
                { xml in
                    guard let open = xml.range(of: "<\(element)>"), let close = xml.range(of: "</\(element)>", range: open.upperBound..<xml.endIndex) else {
                        Issue.record("the record has no \(element)")
                        return xml
                    }
                    return xml.replacingCharacters(in: open.lowerBound..<close.upperBound, with: new)
                }
            }

            #expect(try await code([records[0]], replacing("<sf:IDVersion>1.0</sf:IDVersion>", "<sf:IDVersion>9.9</sf:IDVersion>")) == 4102, "schema")
            #expect(try await code([records[0]], replacing("<sf:ImporteTotal>", "<sf:ImporteTotal>1")) == 2000, "fingerprint")
            #expect(try await code([records[1]]) == 2001, "a record that does not link to the last one received")
            #expect(try await code([records[0]]) == 0, "the first record, as billing wrote it")
            #expect(try await code([records[0]]) == 3000, "the same record again")
            #expect(try await code([records[1]], header: "B12345674") == 1103, "a record of another issuer than the header's")
            #expect(try await code([records[1]], between("sf:Destinatarios", "")) == 1110, "an F1 naming no recipient and not saying why")
            #expect(try await code([records[2]], replacing("<sf:Desglose>", "<sf:Destinatarios><sf:IDDestinatario><sf:NombreRazon>X</sf:NombreRazon><sf:NIF>B12345674</sf:NIF></sf:IDDestinatario></sf:Destinatarios><sf:Desglose>")) == 1111, "an F2 naming a recipient")
            #expect(try await code([records[3]], between("sf:FacturasRectificadas", "")) == 1112, "a credit note naming nothing it corrects")
            #expect(try await code([records[4]], replacing("<sf:CuotaRepercutida>", "<sf:CuotaRepercutida>1")) == 1114, "a tax that is not its base at its rate")
            #expect(try await code([records[5]], replacing("<sf:TipoFactura>", "<sf:Subsanacion>S</sf:Subsanacion><sf:RechazoPrevio>S</sf:RechazoPrevio><sf:TipoFactura>")) == 1117, "a correction of a record never refused")
            #expect(try await code([records[6]], replacing("<sf:NIF>B12345674</sf:NIF>", "<sf:NIF>B12345670</sf:NIF>")) == 1115, "a recipient NIF whose control character fails")
            try await agency.set("refuse")
            #expect(try await code([records[7]]) == 1119, "refused on demand")
            try await agency.set("normal")
            #expect(try await code(Array(repeating: records[8], count: 1001)) == 4103, "more than 1,000 records")
            #expect(try await code([records[8]]) == 0, "the chain goes on from the last record received")
            let ledger = try await agency.ledger()
            #expect(ledger.booked.map(\.seriesNumber) == ["\(records[0].series)/\(records[0].number)", "\(records[8].series)/\(records[8].number)"])
        }
    }
}
