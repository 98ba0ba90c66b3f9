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

@Suite("HR: staff, shifts, sales per employee, announcements")
struct HRTests {
    /// HR in-process with a till that publishes on `pos` and a listener on `hr.events` for stores S001–S003.
    func withHR(
        environment: [String: String] = [:], _ body: (RunningService, AMQPConnection, [String: Seen]) async throws -> Void
    ) async throws {
        try await RunningService.with(HR.definition, environment: environment) { service in
            let stores = ["S001", "S002", "S003"]
            let listen = Topology(
                exchanges: [Exchanges.pos, Exchanges.hrEvents], queues: stores.map { .init(name: "till.\($0)") } + [.init(name: "test.staff")],
                bindings: stores.map { .init(queue: "till.\($0)", exchange: Exchanges.hrEvents.name, routingKey: "announcement.\($0)") }
                    + [.init(queue: "test.staff", exchange: Exchanges.hrEvents.name, routingKey: "employee.*")])
            let till = AMQPConnection(configuration: service.amqp.named("test-till"), topology: listen, logger: TestInfrastructure.logger)
            try await till.declare(listen)
            var seen: [String: Seen] = [:]
            for queue in stores.map({ "till.\($0)" }) + ["test.staff"] { seen[queue] = Seen() }
            do {
                try await running(seen.map { collector(service.amqp, queue: $0.key, topology: listen, into: $0.value) }) {
                    try await body(service, till, seen)
                }
            } catch {
                await till.close()
                throw error
            }
            await till.close()
        }
    }

    func employee(_ service: RunningService, _ id: String, role: String = "cashier", stores: [String]) async throws -> Int {
        let list = stores.map { "\"\($0)\"" }.joined(separator: ",")
        return try await service.request(
            "PUT", "/employees/\(id)", body: #"{"name":"Empleado \#(id)","role":"\#(role)","stores":[\#(list)],"startDate":"2026-01-01"}"#
        ).status
    }

    func shift(_ till: AMQPConnection, opened: Bool, _ id: String, employee: String, store: String = "S001", at: String) async throws {
        let event = ShiftEventV1(shiftId: id, employeeId: employee, storeId: store, terminalId: "\(store)-T01", at: at)
        try await till.publish(
            OutgoingMessage(
                exchange: Exchanges.pos.name, routingKey: event.routingKey(opened: opened), body: Array(try JSONEncoder().encode(event)),
                properties: MessageProperties(type: opened ? ShiftEventV1.openedType : ShiftEventV1.closedType, messageId: "\(id)-\(opened)")))
    }

    @Test("one employee's shifts handled in batches side by side still see each other: both of two that overlap are flagged")
    func overlapsAcrossBatchesInFlight() async throws {
        // One shift a batch, four batches at once: each pair below is handled in two transactions side by side.
        try await withHR(environment: ["TRASTIENDA_CONSUMER_BATCH_SIZE": "1", "TRASTIENDA_CONSUMER_CONCURRENT_BATCHES": "4"]) { service, till, _ in
            let employees = (1...6).map { String(format: "E%04d", $0) }
            for id in employees { #expect(try await employee(service, id, stores: ["S001"]) == 201) }
            for id in employees {
                try await shift(till, opened: true, "\(id)-a", employee: id, at: "2026-11-29T09:00:00+01:00")
                try await shift(till, opened: true, "\(id)-b", employee: id, at: "2026-11-29T09:00:00+01:00")
            }
            func flaggedOverlapping() async throws -> Set<String> {
                let response = try await service.request("GET", "/shifts/flagged")
                let rows = pageItems(response.body) ?? []
                return Set(rows.filter { ($0["flags"] as? [String] ?? []).contains("overlapping") }.compactMap { $0["shiftId"] as? String })
            }
            let expected = Set(employees.flatMap { ["\($0)-a", "\($0)-b"] })
            #expect(await eventually { (try? await flaggedOverlapping()) == expected })
        }
    }

    @Test("shifts become timesheets; irregular shifts are recorded and flagged, not dropped")
    func shiftsAndFlags() async throws {
        try await withHR { service, till, seen in
            #expect(try await employee(service, "E0001", stores: ["S001"]) == 201)
            #expect(try await employee(service, "E0002", stores: ["S001", "S002"]) == 201)
            #expect(try await employee(service, "E0001", stores: ["S001", "S003"]) == 200)
            #expect(try await service.request("PUT", "/employees/E0003", body: #"{"name":"X","role":"pilot","stores":[],"startDate":"2026-01-01"}"#).status == 400)
            #expect(try await service.request("PUT", "/employees/E0003", body: #"{"name":"X","role":"cashier","stores":[],"startDate":"2026-13-01"}"#).status == 400)

            // E0001: 08:00–14:30 and 16:00–20:00 on the 29th (630 minutes), the first open delivered twice.
            try await shift(till, opened: true, "a", employee: "E0001", at: "2026-11-29T08:00:00+01:00")
            try await shift(till, opened: true, "a", employee: "E0001", at: "2026-11-29T08:00:00+01:00")
            try await shift(till, opened: false, "a", employee: "E0001", at: "2026-11-29T14:30:00+01:00")
            try await shift(till, opened: true, "b", employee: "E0001", at: "2026-11-29T16:00:00+01:00")
            try await shift(till, opened: false, "b", employee: "E0001", at: "2026-11-29T20:00:00+01:00")
            // Irregular: an unknown employee, one at a store not theirs, a close without an open, two that overlap.
            try await shift(till, opened: true, "c", employee: "E9999", at: "2026-11-29T09:00:00+01:00")
            try await shift(till, opened: true, "d", employee: "E0002", store: "S003", at: "2026-11-29T09:00:00+01:00")
            try await shift(till, opened: false, "e", employee: "E0002", at: "2026-11-29T12:00:00+01:00")
            try await shift(till, opened: true, "f", employee: "E0002", at: "2026-11-30T09:00:00+01:00")
            try await shift(till, opened: true, "g", employee: "E0002", store: "S002", at: "2026-11-30T10:00:00+01:00")

            func flagged() async throws -> [String: [String]] {
                let response = try await service.request("GET", "/shifts/flagged")
                let rows = pageItems(response.body) ?? []
                return Dictionary(uniqueKeysWithValues: rows.map { ($0["shiftId"] as! String, ($0["flags"] as? [String] ?? []).sorted()) })
            }
            let expected: [String: [String]] = [
                "c": ["unknown_employee"], "d": ["overlapping", "unassigned"], "e": ["close_without_open"], "f": ["overlapping"], "g": ["overlapping"],
            ]
            #expect(await eventually { (try? await flagged()) == expected })
            #expect(try await flagged() == expected, "d is never closed, so f and g, opened later, overlap it")
            func totalMinutes() async -> Int? {
                guard let response = try? await service.request("GET", "/employees/E0001/timesheet?from=2026-11-29&to=2026-11-29") else { return nil }
                return ((try? JSONSerialization.jsonObject(with: Data(response.body.utf8))) as? [String: Any])?["totalMinutes"] as? Int
            }
            #expect(await eventually { await totalMinutes() == 630 })
            #expect(try await service.request("GET", "/employees/E0001/timesheet?from=2026-11-30").status == 400)
            #expect(await eventually { seen["test.staff"]!.count == 3 })
            #expect(seen["test.staff"]!.all.map(\.routingKey) == ["employee.created", "employee.created", "employee.updated"])
        }
    }

    @Test("overlap flags end the same whatever order the tills' messages are handled in, and a close clears those it ends")
    func overlapsInAnyOrder() async throws {
        try await withHR { service, till, _ in
            for id in ["E0001", "E0002"] { #expect(try await employee(service, id, stores: ["S001"]) == 201) }
            func overlapping() async throws -> Set<String> {
                let rows = pageItems(try await service.request("GET", "/shifts/flagged").body) ?? []
                return Set(rows.filter { ($0["flags"] as? [String] ?? []).contains("overlapping") }.compactMap { $0["shiftId"] as? String })
            }
            // E0001: x 08:00–14:30 then y from 15:00, y's open handled first: while x ran on, they overlapped.
            try await shift(till, opened: true, "y", employee: "E0001", at: "2026-11-29T15:00:00+01:00")
            try await shift(till, opened: true, "x", employee: "E0001", at: "2026-11-29T08:00:00+01:00")
            // E0002: d from the 29th never closed, f and g on the 30th; handled latest first.
            try await shift(till, opened: true, "g", employee: "E0002", at: "2026-11-30T10:00:00+01:00")
            try await shift(till, opened: true, "f", employee: "E0002", at: "2026-11-30T09:00:00+01:00")
            try await shift(till, opened: true, "d", employee: "E0002", at: "2026-11-29T09:00:00+01:00")
            #expect(await eventually { (try? await overlapping()) == ["x", "y", "d", "f", "g"] })
            // x closes before y opens; d closes on the 29th: f and g still overlap each other.
            try await shift(till, opened: false, "x", employee: "E0001", at: "2026-11-29T14:30:00+01:00")
            try await shift(till, opened: false, "d", employee: "E0002", at: "2026-11-29T17:00:00+01:00")
            #expect(await eventually { (try? await overlapping()) == ["f", "g"] })
            #expect(try await overlapping() == ["f", "g"])
        }
    }

    @Test("an announcement to two stores reaches exactly their queues; read receipts count once each")
    func announcements() async throws {
        try await withHR { service, till, seen in
            let posted = try await service.request(
                "POST", "/announcements", body: #"{"title":"Inventario","body":"El lunes se cuenta el almacén.","priority":"high","stores":["S001","S002"]}"#)
            #expect(posted.status == 201)
            let id = try #require(((try? JSONSerialization.jsonObject(with: Data(posted.body.utf8))) as? [String: Any])?["announcementId"] as? String)
            #expect(await eventually { seen["till.S001"]!.count == 1 && seen["till.S002"]!.count == 1 })
            try await Task.sleep(for: .milliseconds(300))
            #expect(seen["till.S001"]!.count == 1 && seen["till.S002"]!.count == 1 && seen["till.S003"]!.count == 0)
            let message = try JSONDecoder().decode(AnnouncementV1.self, from: Data(seen["till.S002"]!.all[0].body))
            #expect(message.announcementId == id && message.storeId == "S002" && message.priority == "high")

            for (employee, store) in [("E0001", "S001"), ("E0002", "S002"), ("E0001", "S001")] {
                let read = AnnouncementReadV1(announcementId: id, employeeId: employee, storeId: store, terminalId: "\(store)-T01", readAt: "2026-11-29T10:00:00+01:00")
                try await till.publish(
                    OutgoingMessage(
                        exchange: Exchanges.pos.name, routingKey: read.routingKey, body: Array(try JSONEncoder().encode(read)),
                        properties: MessageProperties(type: AnnouncementReadV1.messageType, messageId: UUID().uuidString)))
            }
            func reads() async -> Int? {
                guard let response = try? await service.request("GET", "/announcements") else { return nil }
                return pageItems(response.body)?.first?["reads"] as? Int
            }
            #expect(await eventually { await reads() == 2 })
            try await Task.sleep(for: .milliseconds(200))
            #expect(await reads() == 2, "E0001 read it twice: counted once")

            // To a role: the stores where that role works.
            #expect(try await employee(service, "M1", role: "store_manager", stores: ["S003"]) == 201)
            let managers = try await service.request("POST", "/announcements", body: #"{"title":"Cierre","body":"Cuadre de caja","roles":["store_manager"]}"#)
            #expect(managers.status == 201 && managers.body.contains(#""stores":["S003"]"#), "\(managers.body)")
            #expect(await eventually { seen["till.S003"]!.count == 1 })
            #expect(try await service.request("POST", "/announcements", body: #"{"title":"","body":"x"}"#).status == 400)
            #expect(try await service.request("POST", "/announcements", body: #"{"title":"t","body":"x","roles":["pilot"]}"#).status == 400)
        }
    }

    @Test("another service's database role is refused when it reads hr")
    func personalDataStaysInHR() async throws {
        try await RunningService.with(HR.definition) { service in
            #expect(try await employee(service, "E0001", stores: ["S001"]) == 201)
            let admin = Database(.init(url: service.databaseURL, poolSize: 1), logger: TestInfrastructure.logger)
            defer { admin.close() }
            let role = "billing_\(UInt32.random(in: 0...UInt32.max))"
            try await admin.query("CREATE ROLE \(role) LOGIN PASSWORD 'secret'")
            try await admin.query("CREATE SCHEMA IF NOT EXISTS billing AUTHORIZATION \(role)")
            var components = URLComponents(string: service.databaseURL)!
            components.user = role
            components.password = "secret"
            let billing = Database(.init(url: components.string!, searchPath: "billing", poolSize: 1), logger: TestInfrastructure.logger)
            do {
                try await billing.query("CREATE TABLE invoices_probe (n integer)")  // its own schema works
                await #expect(throws: PostgresError.self) { try await billing.query("SELECT * FROM hr.employees") }
                do {
                    _ = try await billing.query("SELECT name FROM hr.employees")
                } catch {
                    #expect("\(error)".contains("permission denied"), "\(error)")
                }
            }
            billing.close()
            try await admin.query("DROP SCHEMA billing CASCADE")
            try await admin.query("DROP OWNED BY \(role)")
            try await admin.query("DROP ROLE \(role)")
        }
    }
}
