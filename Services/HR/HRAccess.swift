import Hummingbird
import ServiceRuntime

/// HR's operations, who may call them and what they take and answer: employees and announcements are hr's (and
/// admin's); a store manager reads its own staff (an employee of one of its stores) and the announcements that
/// reached its stores, and the auditor reads everything.
enum HRAccess {
    static let employee = Operation.Store.record(parameter: "id", query: "SELECT unnest(stores) FROM employees WHERE id = $1")
    static let readers: Set<Role> = [.admin, .hr, .auditor, .storeManager]
    static let range: [OperationDocumentation.Query] = [.init("from", .date, required: true, "the first day"), .init("to", .date, required: true, "the last day")]

    static let policy = AccessPolicy(
        [
            BatchActivity.statsOperation(as: "salesCredited", "the sales this replica has credited to their cashiers since it started"),
            Operation(.get, "/announcements", readers, .init(
                "announcements with how many have read them, oldest first (a store manager's: those that reached its stores)",
                query: OperationDocumentation.Query.paging,
                answer: .json(200, .page(.record([
                    "announcementId": .string, "title": .string, "priority": .string, "stores": .array(.string),
                    "roles": .nullable(.array(.string)), "publishedAt": .dateTime, "reads": .integer,
                ]))))),
            Operation(.post, "/announcements", [.admin, .hr], .init(
                "publishes an announcement to all stores, some stores, or the stores where some roles work",
                body: .object([
                    "title": .text(200), "body": .string(minLength: 1, maxLength: 10_000), "priority": .oneOf(["low", "normal", "high"]), "stores": .array(.identifier), "roles": .array(.string),
                ], required: ["title", "body"]),
                answer: .json(201, .record(["announcementId": .string, "stores": .array(.string)])))),
            Operation(.get, "/employees", readers, store: .query("store"), .init(
                "employees by id", query: [.init("store", "only those of this store (required of a store manager)")] + OperationDocumentation.Query.paging,
                answer: .json(200, .page(.reference("Employee"))))),
            Operation(.get, "/employees/{id}", readers, store: employee, .init("one employee", answer: .json(200, .reference("Employee")))),
            Operation(.put, "/employees/{id}", [.admin, .hr], .init(
                "creates or changes an employee (201 when created)",
                body: .object([
                    "name": .text(200), "role": .oneOf(["cashier", "supervisor", "store_manager", "warehouse", "area_manager"]),
                    "stores": .array(.identifier), "startDate": .date, "endDate": .nullable(.date), "active": .boolean,
                ], required: ["name", "role", "stores", "startDate"]),
                answer: .createdOrFound(.reference("Employee")))),
            Operation(.get, "/employees/{id}/sales", readers, store: employee, .init(
                "what an employee sold, day by day", query: range,
                answer: .json(200, .record([
                    "employeeId": .string, "sales": .integer, "returns": .integer, "amountCents": .cents,
                    "days": .array(.record(["day": .date, "sales": .integer, "returns": .integer, "amountCents": .cents])),
                ])))),
            Operation(.get, "/employees/{id}/timesheet", readers, store: employee, .init(
                "an employee's shifts and hours, day by day", query: range,
                answer: .json(200, .record([
                    "employeeId": .string, "from": .date, "to": .date, "totalSeconds": .integer, "totalMinutes": .integer,
                    "days": .array(.record(["day": .date, "seconds": .integer, "minutes": .integer, "shifts": .array(.reference("Shift"))])),
                ])))),
            Operation(.get, "/shifts/flagged", [.admin, .hr, .auditor], .init(
                "shifts with something to look at (left open, too long, overlapping…), by day",
                query: OperationDocumentation.Query.paging, answer: .json(200, .page(.reference("Shift"))))),
        ],
        schemas: [
            "Employee": .record([
                "employeeId": .string, "name": .string, "role": .string, "stores": .array(.string), "startDate": .date,
                "endDate": .nullable(.date), "active": .boolean,
            ]),
            "Shift": .object([
                "shiftId": .string, "employeeId": .string, "storeId": .string, "terminalId": .string, "openedAt": .nullable(.dateTime),
                "closedAt": .nullable(.dateTime), "flags": .array(.string),
            ], required: ["shiftId", "storeId", "openedAt", "closedAt", "flags"]),
        ])
}
