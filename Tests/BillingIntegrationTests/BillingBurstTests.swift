import AMQPClient
import Contracts
import Foundation
import PostgresClient
import Testing
import TrastiendaTesting
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@testable import billing

/// 20,000 sales from pos-sim through intake and two billing processes, one of them killed mid-way.
@Suite("Billing under a burst", .serialized)
struct BillingBurstTests {
    @Test("every sale gets exactly one invoice, every series is 1…n with no gap, and the chains verify")
    func twentyThousandSalesThroughACrash() async throws {
        let amqp = try await TestInfrastructure.makeVirtualHost("billing_burst")
        let databaseURL = try await TestInfrastructure.makeDatabaseURL("billing_burst")
        let amqpURL = TestInfrastructure.amqpURL + amqp.virtualHost
        let database = Database(.init(url: databaseURL, searchPath: "billing", poolSize: 1), logger: TestInfrastructure.logger)
        defer { database.close() }
        func process(_ name: String, port: Int) throws -> ServiceProcess {
            try ServiceProcess(
                name,
                environment: [
                    "TRASTIENDA_AMQP_URL": amqpURL, "TRASTIENDA_DATABASE_URL": databaseURL, "TRASTIENDA_HTTP_PORT": String(port),
                    "TRASTIENDA_LOG_LEVEL": "error",
                ])
        }
        func request(_ method: String, port: Int, _ path: String, body: String? = nil) async throws -> (Int, String) {
            var request = URLRequest(url: URL(string: "http://localhost:\(port)\(path)")!)
            request.httpMethod = method
            request.setValue("Bearer \(try await TestTokens.admin())", forHTTPHeaderField: "Authorization")
            request.httpBody = body.map { Data($0.utf8) }
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            let (data, response) = try await URLSession.shared.data(for: request)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
        }
        func invoices() async throws -> Int {
            (try? await database.query("SELECT count(*) FROM invoices")[0].decode(Int.self, at: 0)) ?? 0
        }

        let intakePort = TestInfrastructure.freePort()
        let billingPorts = [TestInfrastructure.freePort(), TestInfrastructure.freePort()]
        let intake = try process("sales-intake", port: intakePort)
        var billings = try billingPorts.map { try process("billing", port: $0) }
        #expect(await eventually(timeout: .seconds(60)) { (try? await request("GET", port: billingPorts[0], "/health/ready"))?.0 == 200 })
        #expect(await eventually(timeout: .seconds(60)) { (try? await request("GET", port: intakePort, "/health/ready"))?.0 == 200 })
        // Two franchisees, so that the two replicas have two chains to work on.
        let north = (1...10).map { String(format: "\"S%03d\"", $0) }.joined(separator: ",")
        let south = (11...20).map { String(format: "\"S%03d\"", $0) }.joined(separator: ",")
        #expect(try await request("PUT", port: billingPorts[0], "/issuers/89890001K", body: #"{"legalName":"Norte SL","address":"Burgos","stores":[\#(north)]}"#).0 == 200)
        #expect(try await request("PUT", port: billingPorts[0], "/issuers/B12345674", body: #"{"legalName":"Sur SL","address":"Sevilla","stores":[\#(south)]}"#).0 == 200)

        let simulator = try ServiceProcess(
            "pos-sim", arguments: ["--url", amqpURL, "--sales", "20000", "--stores", "20", "--terminals", "5", "--quiet"])
        #expect(await eventually(timeout: .seconds(300), interval: .milliseconds(100)) { (try? await invoices()) ?? 0 >= 4_000 })
        billings[1].send(SIGKILL)
        #expect(await billings[1].waitForExit())
        let atKill = (try? await invoices()) ?? 0
        #expect(atKill < 20_000, "killed mid-way (\(atKill) invoices)")
        billings[1] = try process("billing", port: billingPorts[1])
        #expect(await simulator.waitForExit(timeout: .seconds(300)))
        #expect(simulator.exitCode == 0, "\(simulator.output)")
        #expect(await eventually(timeout: .seconds(600), interval: .milliseconds(500)) { (try? await invoices()) == 20_000 })

        let sales = try await database.query("SELECT count(*), count(DISTINCT sale_id) FROM invoices")[0]
        #expect(try sales.decode(Int.self, at: 0) == 20_000)
        #expect(try sales.decode(Int.self, at: 1) == 20_000, "one invoice per sale")
        let gaps = try await database.query(
            "SELECT series, count(*), min(number), max(number) FROM invoices GROUP BY series HAVING count(*) <> max(number) OR min(number) <> 1")
        #expect(gaps.isEmpty, "every series is 1…n")
        let seriesCount = try await database.query("SELECT count(DISTINCT series) FROM invoices")[0].decode(Int.self, at: 0)
        #expect(seriesCount > 20, "invoice and credit-note series for 20 stores")
        for issuer in ["89890001K", "B12345674"] {
            let chain = try await request("GET", port: billingPorts[0], "/issuers/\(issuer)/chain")
            #expect(chain.1.contains(#""valid":true"#), "\(chain.1)")
        }
        for billing in billings { billing.send(SIGTERM) }
        intake.send(SIGTERM)
        for billing in billings { await billing.waitForExit() }
        await intake.waitForExit()
        await TestInfrastructure.deleteVirtualHost(amqp)
        database.close()
        await TestInfrastructure.dropDatabase(url: databaseURL)
    }
}
