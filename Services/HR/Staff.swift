import AMQPClient
import Contracts
import Foundation
import PostgresClient
import ServiceRuntime

/// Employees: who they are, their role, the stores they are assigned to and when they work there. Each change is
/// announced (`employee.created`, `employee.updated`) without personal data beyond the name.
enum Staff {
    struct Employee: Codable, Sendable, Equatable {
        var name: String
        var role: String
        var stores: [String]
        var startDate: String
        var endDate: String?
        var active: Bool?
    }

    static let roles: Set<String> = ["cashier", "supervisor", "store_manager", "warehouse", "area_manager"]

    static func validate(_ employee: Employee, id: String) throws(Refusal) {
        guard OperationsRoutes.isIdentifier(id) else { throw Refusal(.invalid, "the employee id must be 1–48 letters, digits, '-' or '_'") }
        guard (1...200).contains(employee.name.count) else { throw Refusal(.invalid, "name must be 1–200 characters") }
        guard roles.contains(employee.role) else { throw Refusal(.invalid, "role must be one of \(roles.sorted().joined(separator: ", "))") }
        guard employee.stores.count <= 100, employee.stores.allSatisfy(OperationsRoutes.isIdentifier) else {
            throw Refusal(.invalid, "stores must be up to 100 store ids (letters, digits, '-' or '_')")
        }
        guard OperationsRoutes.isDate(employee.startDate) else { throw Refusal(.invalid, "startDate must be yyyy-mm-dd") }
        if let end = employee.endDate {
            guard OperationsRoutes.isDate(end), end >= employee.startDate else { throw Refusal(.invalid, "endDate must be yyyy-mm-dd, not before startDate") }
        }
    }

    /// Creates or replaces an employee; returns whether it was new.
    @discardableResult
    static func save(_ employee: Employee, id: String, on connection: PostgresConnection) throws -> Bool {
        let created: Bool = try connection.query(
            """
            INSERT INTO employees (id, name, role, stores, start_date, end_date, active) VALUES ($1, $2, $3, $4::text[], $5::date, $6::date, $7)
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role, stores = excluded.stores,
                start_date = excluded.start_date, end_date = excluded.end_date, active = excluded.active, updated_at = now()
            RETURNING xmax = 0
            """,
            [id, employee.name, employee.role, PostgresArrays.text(employee.stores), employee.startDate, employee.endDate, employee.active ?? true]
        )[0].decode(at: 0)
        let event = EmployeeEventV1(
            event: created ? "created" : "updated", employeeId: id, name: employee.name, role: employee.role, stores: employee.stores,
            active: employee.active ?? true)
        try Outbox.add(event, exchange: Exchanges.hrEvents.name, routingKey: event.routingKey, type: EmployeeEventV1.messageType, on: connection)
        return created
    }

}
