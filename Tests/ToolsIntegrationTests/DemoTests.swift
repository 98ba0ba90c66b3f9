import Foundation
import Testing
import TrastiendaTesting

/// `make run`'s demo on a shortened pace (sessions of 15 s, the back office every 5 s, dunning every second), on the
/// five services as processes: within minutes, each part of a chain's day is there, as scripts/demo_check.py finds
/// it through the APIs.
@Suite("The demo")
struct DemoTests {
    @Test("after a few minutes of the demo: a replenishment, a purchase order, a transfer, a Z report, a dunning reminder and a timesheet")
    func demoShowsADay() async throws {
        try await ProcessStack.with("demo") { stack in
            let names = ["sales-intake", "billing", "orders", "collections", "hr"]
            let ports = names.map { _ in TestInfrastructure.freePort() }
            let services = try zip(names, ports).map { name, port in
                try stack.process(name, port: port, name == "collections" ? ["TRASTIENDA_COLLECTIONS_DUNNING_INTERVAL_MS": "1000"] : [:])
            }
            defer { for service in services { service.send(SIGTERM) } }
            for port in ports { #expect(await ProcessStack.ready(port)) }
            let urls = [
                "SALES_URL": ports[0], "BILLING_URL": ports[1], "ORDERS_URL": ports[2], "COLLECTIONS_URL": ports[3], "HR_URL": ports[4],
            ].mapValues { "http://localhost:\($0)" }
            let environment = urls.merging([
                "bearer": "authorization: Bearer \(try await TestTokens.admin())", "TRASTIENDA_AMQP_URL": stack.amqpURL,
                "bin": TestInfrastructure.repositoryRoot.appendingPathComponent(".build/debug").path, "TRASTIENDA_DEMO_PACE": "short",
            ]) { $1 }
            // Started with no signal blocked, as from a shell: a test's threads block them, and what they start inherits
            // the mask, which a shell script cannot undo (its stop would never arrive).
            let demo = try ServiceProcess(
                executable: URL(fileURLWithPath: "/usr/bin/env"),
                arguments: [
                    "python3", "-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv(sys.argv[1], sys.argv[1:])",
                    TestInfrastructure.repositoryRoot.appendingPathComponent("scripts/demo.sh").path,
                ],
                environment: environment)
            defer { demo.send(SIGTERM) }
            let check = try ServiceProcess(
                executable: URL(fileURLWithPath: "/usr/bin/env"),
                arguments: ["python3", TestInfrastructure.repositoryRoot.appendingPathComponent("scripts/demo_check.py").path, "--wait", "240"],
                environment: environment)
            #expect(await check.waitForExit(timeout: .seconds(300)))
            #expect(check.exitCode == 0, "\(check.output)\n\(demo.output.suffix(4000))")
            demo.send(SIGTERM)
            #expect(await demo.waitForExit(timeout: .seconds(20)), "the demo stops, pos-sim with it")
        }
    }
}
