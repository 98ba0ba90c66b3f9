import AMQPClient
import Contracts
import Foundation
import PostgresClient
import Testing
import TrastiendaTesting
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@testable import hr

@Suite("Sales per employee from pos-sim", .serialized)
struct EmployeeSalesTests {
    @Test("pos-sim's shifts and 3,000 sales through intake give hr each cashier's hours, and sales, returns and amount per day, once each")
    func salesPerEmployee() async throws {
        try await ProcessStack.with("hr_sales") { stack in try await run(stack) }
    }

    func run(_ stack: ProcessStack) async throws {
        let ports = (intake: TestInfrastructure.freePort(), hr: TestInfrastructure.freePort())
        let services = [try stack.process("sales-intake", port: ports.intake), try stack.process("hr", port: ports.hr)]
        defer { for service in services { service.send(SIGTERM) } }
        for port in [ports.intake, ports.hr] { #expect(await ProcessStack.ready(port)) }
        // Each terminal's cashier works at its store.
        let cashiers = (1...4).flatMap { store in (1...3).map { String(format: "C-S%03d-T%02d", store, $0) } }
        for cashier in cashiers {
            let store = String(cashier.dropFirst(2).prefix(4))
            let put = try await ProcessStack.request(
                "PUT", port: ports.hr, "/employees/\(cashier)", body: #"{"name":"Cajero \#(cashier)","role":"cashier","stores":["\#(store)"],"startDate":"2026-01-01"}"#)
            #expect(put.0 == 201)
        }
        // Duplicates from pos-sim are delivered twice; hr must count them once.
        let simulator = try ServiceProcess(
            "pos-sim",
            arguments: ["--url", stack.amqpURL, "--sales", "3000", "--stores", "4", "--terminals", "3", "--duplicate-share", "0.05", "--shifts", "--quiet"])
        #expect(await simulator.waitForExit(timeout: .seconds(120)))
        #expect(simulator.exitCode == 0, "\(simulator.output)")

        let sales = Database(.init(url: stack.databaseURL, searchPath: "sales", poolSize: 1), logger: TestInfrastructure.logger)
        let hr = Database(.init(url: stack.databaseURL, searchPath: "hr", poolSize: 1), logger: TestInfrastructure.logger)
        defer {
            sales.close()
            hr.close()
        }
        func table(_ database: Database, _ sql: String) async throws -> [String: [Int64]] {
            var rows: [String: [Int64]] = [:]
            for row in try await database.query(sql) {
                rows["\(try row.decode(String.self, at: 0)) \(try row.decode(String.self, at: 1))"] = [
                    try row.decode(at: 2), try row.decode(at: 3), try row.decode(at: 4),
                ]
            }
            return rows
        }
        let recordedSQL = """
            SELECT cashier_id, substr(payload::json->>'occurredAt', 1, 10), count(*) FILTER (WHERE return_of IS NULL),
                   count(*) FILTER (WHERE return_of IS NOT NULL), sum(total)::bigint
            FROM sales GROUP BY 1, 2
            """
        let creditedSQL = "SELECT employee_id, to_char(day, 'YYYY-MM-DD'), sales::bigint, returns::bigint, amount_cents FROM employee_sales"
        #expect(await eventually(timeout: .seconds(60)) {
            guard let recorded = try? await table(sales, recordedSQL), let credited = try? await table(hr, creditedSQL) else { return false }
            return recorded.values.reduce(0) { $0 + $1[0] + $1[1] } == 3_000 && credited == recorded
        })
        let recorded = try await table(sales, recordedSQL)
        let credited = try await table(hr, creditedSQL)
        #expect(credited == recorded)
        #expect(Set(recorded.keys.map { String($0.split(separator: " ")[0]) }) == Set(cashiers), "each terminal's own cashier")
        #expect(recorded.values.contains { $0[1] > 0 }, "returns among them")

        // Hours: each cashier's shift lasted as long as pos-sim says, and none is flagged.
        let seconds = try #require(simulator.output.split(separator: "\n").first { $0.hasPrefix("shifts:") }.flatMap { Int($0.split(separator: " ").last!) })
        #expect(seconds >= 1)
        let day = String(try await sales.query("SELECT substr(payload::json->>'occurredAt', 1, 10) FROM sales LIMIT 1")[0].decode(String.self, at: 0))
        for cashier in cashiers {
            #expect(await eventually {
                guard let (_, body) = try? await ProcessStack.request("GET", port: ports.hr, "/employees/\(cashier)/timesheet?from=\(day)&to=\(day)")
                else { return false }
                return ((try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any])?["totalSeconds"] as? Int == seconds
            })
        }
        #expect(try await ProcessStack.request("GET", port: ports.hr, "/shifts/flagged").1 == #"{"items":[],"next":null}"#)
    }
}
