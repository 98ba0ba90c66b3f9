import AMQPClient
import Contracts
import Foundation
import PostgresClient
import Testing
import TrastiendaTesting

/// Billing submitting to the tax-agency simulator, as processes: intake, two billing replicas, pos-sim.
@Suite("VERI*FACTU submission to the agency", .serialized)
struct SubmissionTests {
    static let north = "B12345674"
    static let south = "89890001K"
    /// A recipient the simulated census does not know: the agency refuses the record, billing corrects it.
    static let unknownRecipient = "B87654323"

    @Test("a pos-sim run through two billing replicas, one SIGKILLed mid-submission: every record accepted once, one envelope per issuer per wait, late marked after an outage, a refused record corrected and accepted, a cancellation accepted")
    func posSimRunSubmitted() async throws {
        let agency = try await AgencySimulator(issuers: [Self.north, Self.south], waitSeconds: 2, unknownTaxIds: [Self.unknownRecipient])
        defer { agency.stop() }
        // One issuer's certificate as PKCS#12 only, the other's as PEM only.
        let folder = agency.issuerCertificates
        try FileManager.default.removeItem(atPath: "\(folder)/\(Self.north).p12")
        try FileManager.default.removeItem(atPath: "\(folder)/\(Self.south).crt")
        try FileManager.default.removeItem(atPath: "\(folder)/\(Self.south).key")

        try await ProcessStack.with("verifactu_submission") { stack in
            let environment = agency.billingEnvironment.merging(["TRASTIENDA_BILLING_AGENCY_TIMEOUT_SECONDS": "3"]) { $1 }
            let intakePort = TestInfrastructure.freePort()
            let ports = [TestInfrastructure.freePort(), TestInfrastructure.freePort()]
            let intake = try stack.process("sales-intake", port: intakePort)
            var billings = try ports.map { try stack.process("billing", port: $0, environment) }
            defer {
                intake.send(SIGTERM)
                for billing in billings { billing.send(SIGTERM) }
            }
            #expect(await ProcessStack.ready(intakePort))
            for port in ports { #expect(await ProcessStack.ready(port)) }
            let billing = ports[0]
            #expect(try await ProcessStack.request("PUT", port: billing, "/issuers/\(Self.north)", body: #"{"legalName":"Norte SL","address":"Burgos","stores":["S001","S002"]}"#).0 == 200)
            #expect(try await ProcessStack.request("PUT", port: billing, "/issuers/\(Self.south)", body: #"{"legalName":"Sur SL","address":"Sevilla","stores":["S003"]}"#).0 == 200)
            #expect(try await ProcessStack.request("PUT", port: billing, "/customers/A87654321/equivalence-surcharge", body: #"{"applies":true}"#).0 == 200)

            let database = Database(.init(url: stack.databaseURL, searchPath: "billing", poolSize: 1), logger: TestInfrastructure.logger)
            defer { database.close() }
            func count(_ sql: String) async -> Int { (try? await database.query(sql).first?.decode(Int.self, at: 0)) ?? -1 }

            // The agency answers slowly: the first envelope is in flight when its sender is killed.
            try await agency.set("slow", delayMilliseconds: 1_500)
            let posSim = try ServiceProcess(
                "pos-sim", arguments: ["--url", stack.amqpURL, "--sales", "1200", "--stores", "3", "--terminals", "3", "--return-share", "0.08", "--quiet"])
            // Sales pos-sim does not make: a full invoice over the retail limit to an unnamed customer, and one to a
            // customer the census does not know.
            let till = AMQPConnection(configuration: stack.amqp.named("test-till"), topology: Topology(exchanges: [Exchanges.pos]), logger: TestInfrastructure.logger)
            var large = SaleFixtures.validSale(saleId: UUID().uuidString.lowercased(), store: "S001", terminal: "S001-T09", receipt: 1)
            large["customer"] = NSNull()
            large["lines"] = [["sku": "TV-001", "description": "Televisor 85 pulgadas", "quantity": 1, "unitPrice": 420_000, "taxRate": 21, "discount": 0]]
            large["payments"] = [["method": "card", "amount": 420_000]]
            large["total"] = 420_000
            var unknown = SaleFixtures.validSale(saleId: UUID().uuidString.lowercased(), store: "S003", terminal: "S003-T09", receipt: 2)
            unknown["customer"] = ["taxId": Self.unknownRecipient, "name": "Sin Censo SL", "address": "Soria"]
            try await till.publish([SaleFixtures.message(large), SaleFixtures.message(unknown)])
            await till.close()

            // Kill a replica while it holds the north's lease, its envelope sent and its answer not yet stored.
            var killed = false
            _ = await eventually(timeout: .seconds(120), interval: .milliseconds(20)) {
                let owners = (try? await database.query("SELECT leased_by FROM submission_cursors WHERE leased_by IS NOT NULL AND issuer_tax_id = '\(Self.north)'").map { try $0.decode(String.self, at: 0) }) ?? []
                guard let victim = billings.firstIndex(where: { billing in owners.contains { $0.hasPrefix("billing-\(billing.processIdentifier)-") } }) else { return false }
                try? await Task.sleep(for: .milliseconds(300))
                billings[victim].send(SIGKILL)
                _ = await billings[victim].waitForExit()
                billings[victim] = try! stack.process("billing", port: ports[victim], environment)
                killed = true
                return true
            }
            #expect(killed, "a replica was killed holding a lease")
            // The restarted replica answers HTTP before the test asks it anything (CI once called it mid-start).
            for port in ports { #expect(await ProcessStack.ready(port), "billing on \(port) back after the kill") }
            try await agency.set("normal")
            #expect(await posSim.waitForExit(timeout: .seconds(300)))
            #expect(posSim.exitCode == 0, "\(posSim.output)")
            #expect(await eventually(timeout: .seconds(120), interval: .milliseconds(200)) { await count("SELECT count(*) FROM invoices") >= 1_202 })
            let issuedBeforeOutage = await count("SELECT count(*) FROM invoices")

            // A customer asks afterwards for a full invoice for a ticket: an F3 that substitutes it; once only.
            let ticket = try await Self.ticket(database, issuer: Self.north, skipping: 1)
            let customer = #"{"customer":{"taxId":"B11111119","name":"Cliente Tardío SL","address":"C/ Nueva 2, Burgos"}}"#
            let substitution = try await ProcessStack.request("POST", port: billing, "/invoices/\(ticket)/substitution", body: customer)
            #expect(substitution.0 == 201 && substitution.1.contains(#""kind":"F3""#) && substitution.1.contains(#""substitutes":"\#(ticket)""#), "\(substitution.1)")
            #expect(try await ProcessStack.request("POST", port: billing, "/invoices/\(ticket)/substitution", body: customer).0 == 409)
            #expect(try await ProcessStack.request("POST", port: billing, "/invoices/\(ticket)/substitution", body: "{}").0 == 400)

            // The agency down for a while: what waits meanwhile goes once it is back, marked as sent after an incident.
            try await agency.set("down")
            let cancel = try await ProcessStack.request(
                "POST", port: billing, "/invoices/\(try await Self.ticket(database, issuer: Self.north, skipping: 0))/cancellation", body: #"{"reason":"error de cobro"}"#)
            #expect(cancel.0 == 201, "\(cancel.1)")
            try await Task.sleep(for: .seconds(4))
            try await agency.set("normal")

            func overview() async throws -> String { try await ProcessStack.request("GET", port: billing, "/verifactu").1 }
            func allSent() async -> Bool {
                let records = await count("SELECT (SELECT count(*) FROM invoices) + (SELECT count(*) FROM cancellations) + (SELECT count(*) FROM corrections)")
                return await count("SELECT count(*) FROM submission_states") == records
            }
            let sent = await eventually(timeout: .seconds(180), interval: .milliseconds(250)) { await allSent() }
            let pending = (try? await overview()) ?? ""
            #expect(sent, "\(pending)")

            // The refused record: Incorrecto with the census code; corrected with the recipient's right NIF, accepted.
            let refused = try await database.query(
                "SELECT series, number, error_code FROM submission_states WHERE state = 'Incorrecto'").map {
                    (try $0.decode(String.self, at: 0), try $0.decode(Int64.self, at: 1), try $0.decode(Int64.self, at: 2))
                }
            #expect(refused.count == 1 && refused.first?.2 == 1116, "\(refused)")
            let whileRejected = try ServiceProcess("trastienda", arguments: ["verifactu", "status", "--billing", "http://localhost:\(billing)"], environment: ["TRASTIENDA_TOKEN": try await TestTokens.admin()])
            #expect(await whileRejected.waitForExit())
            #expect(whileRejected.exitCode == 1 && whileRejected.output.contains("rejected records"), "\(whileRejected.output)")
            if let (series, number, _) = refused.first {
                let correction = try await ProcessStack.request(
                    "POST", port: billing, "/invoices/\(series)/\(number)/correction", body: #"{"recipient":{"taxId":"B11111119","name":"Con Censo SL"}}"#)
                #expect(correction.0 == 201, "\(correction.1)")
                #expect(await eventually(timeout: .seconds(60), interval: .milliseconds(250)) { await allSent() })
                let states = try await ProcessStack.request("GET", port: billing, "/invoices/\(series)/\(number)/verifactu").1
                #expect(states.contains(#""operation":"correction""#) && states.contains(#""state":"Correcto""#), "\(states)")
                let again = try await ProcessStack.request("POST", port: billing, "/invoices/\(series)/\(number)/correction", body: "")
                #expect(again.0 == 409, "an accepted record is not corrected again: \(again.1)")
            }

            // Billing's view: everything Correcto but the one refused record; nothing rejected left open.
            #expect(await count("SELECT count(*) FROM submission_states WHERE state NOT IN ('Correcto', 'Incorrecto')") == 0)
            let status = try await overview()
            #expect(status.contains(#""rejected":0"#) && !status.contains(#""rejected":1"#), "\(status)")
            #expect(status.contains(#""pending":0"#), "\(status)")
            #expect(await count("SELECT count(*) FROM submission_states WHERE late") > 0, "records that waited through the outage are marked late")
            #expect(await eventually(timeout: .seconds(25), interval: .milliseconds(500)) {
                let metrics = (try? await ProcessStack.request("GET", port: billing, "/metrics"))?.1 ?? ""
                return metrics.contains(#"billing_verifactu_pending_records{issuer="\#(Self.north)"} 0"#)
                    && metrics.contains(#"billing_verifactu_accepted_records{issuer="\#(Self.south)"}"#)
            }, "the Prometheus gauges")
            let cli = try ServiceProcess("trastienda", arguments: ["verifactu", "status", "--billing", "http://localhost:\(billing)"], environment: ["TRASTIENDA_TOKEN": try await TestTokens.admin()])
            #expect(await cli.waitForExit())
            #expect(cli.exitCode == 0 && cli.output.contains(Self.north) && cli.output.contains(Self.south) && cli.output.contains("submission on"), "\(cli.output)")

            // The agency's view: every record booked exactly once (invoices and the annulment), no envelope before its
            // wait was over, the resent envelope recognised as duplicates, late envelopes flagged, no schema fault.
            let ledger = try await agency.ledger()
            let invoices = await count("SELECT count(*) FROM invoices")
            #expect(ledger.booked.filter { $0.operation == "Alta" }.count == invoices, "each invoice booked once")
            #expect(invoices == issuedBeforeOutage + 1, "the F3 is one more invoice")
            #expect(ledger.booked.filter { $0.operation == "Anulacion" }.count == 1)
            #expect(Set(ledger.booked.map { "\($0.issuerTaxId)|\($0.seriesNumber)|\($0.operation)" }).count == ledger.booked.count)
            #expect(ledger.envelopes.allSatisfy { !$0.early }, "one envelope per issuer per TiempoEsperaEnvio")
            #expect((ledger.faults["3000"] ?? 0) > 0, "the envelope resent after the kill was recognised: \(ledger.faults)")
            #expect(ledger.faults["4102"] == nil, "every envelope valid against the schema: \(ledger.faults)")
            #expect(ledger.envelopes.contains { $0.late })
            #expect(Set(ledger.booked.map(\.kind)).isSuperset(of: ["F1", "F2", "F3", "R1", "R5"]), "\(Set(ledger.booked.map(\.kind)))")
            for issuer in [Self.north, Self.south] {
                let chain = try await ProcessStack.request("GET", port: billing, "/issuers/\(issuer)/chain").1
                #expect(chain.contains(#""valid":true"#), "\(chain)")
                // And as an auditor would: every stored record, through xmllint --nonet, against SuministroLR.xsd.
                let records = try await database.query(
                    """
                    SELECT record FROM invoices WHERE issuer_tax_id = $1 UNION ALL SELECT record FROM cancellations WHERE issuer_tax_id = $1
                    UNION ALL SELECT record FROM corrections WHERE issuer_tax_id = $1
                    """, [issuer]).map { try $0.decode(String.self, at: 0) }
                #expect(records.count > 100)
                if issuer == Self.north {
                    for (what, text) in [
                        ("a 0 % rate", "<sf:TipoImpositivo>0</sf:TipoImpositivo>"), ("the equivalence surcharge", "<sf:TipoRecargoEquivalencia>"),
                        ("a foreign customer", "<sf:CodigoPais>FR</sf:CodigoPais>"), ("an F3", "<sf:FacturasSustituidas>"),
                        ("a full invoice to an unnamed customer", "<sf:FacturaSinIdentifDestinatarioArt61d>S"), ("an annulment", "<sf:RegistroAnulacion"),
                    ] {
                        #expect(records.contains { $0.contains(text) }, "the run has \(what)")
                    }
                }
                for start in stride(from: 0, to: records.count, by: 1000) {
                    let (status, output) = try await VerifactuSchema.validate(Array(records[start..<min(start + 1000, records.count)]), issuer: issuer)
                    #expect(status == 0, "\(output.prefix(2_000))")
                }
            }
        }
    }

    /// `<series>/<number>` of one of the issuer's simplified invoices, the first after `skipping` others.
    static func ticket(_ database: Database, issuer: String, skipping: Int) async throws -> String {
        try await database.query(
            "SELECT series || '/' || number FROM invoices WHERE issuer_tax_id = $1 AND kind = 'F2' ORDER BY chain_position LIMIT 1 OFFSET $2",
            [issuer, skipping])[0].decode(at: 0)
    }
}
