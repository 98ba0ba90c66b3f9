import Foundation
import Hummingbird
import ServiceRuntime

/// Staff: employees, one employee's timesheet (irregular shifts flagged) and sales, the shifts to look at, and
/// announcements: writing one and seeing how many have read each.
enum StaffPages {
    static let readers: Set<Role> = [.admin, .hr, .storeManager, .auditor]

    static func add(to router: Router<BasicRequestContext>, _ area: Area) {
        router.get("/staff") { request, _ in
            if let refusal = area.allowed(readers) { return refusal }
            let store = Area.query(request, "store") ?? Visitor.current?.account.stores?.first
            let employees = try await area.succeeded("hr", "GET", "/employees?limit=200" + (store.map { "&store=\(Area.encoded($0))" } ?? ""))
            let seesFlags = Visitor.may([.admin, .hr, .auditor])
            let flagged = seesFlags ? try await area.services.call("hr", "GET", "/shifts/flagged?limit=50").items : []
            let announcements = try await area.services.call("hr", "GET", "/announcements?limit=50")
            return area.views.page(
                "staff", title: area.texts["nav_staff"] ?? "",
                [
                    "store": store ?? "",
                    "employees": employees.items.map {
                        ["id": $0["employeeId"] ?? "", "link": "/staff/\(Area.encoded($0["employeeId"] as? String ?? ""))", "name": $0["name"] ?? "",
                         "role": $0["role"] ?? "", "stores": ($0["stores"] as? [String] ?? []).joined(separator: ", ")]
                    },
                    "noEmployees": employees.items.isEmpty, "seesFlags": seesFlags,
                    "flagged": flagged.map {
                        ["shift": $0["shiftId"] ?? "", "employee": $0["employeeId"] ?? "", "store": $0["storeId"] ?? "",
                         "opened": Display.time($0["openedAt"]), "flags": ($0["flags"] as? [String] ?? []).map { area.texts["flag_\($0)"] ?? $0 }.joined(separator: ", ")]
                    },
                    "noFlagged": flagged.isEmpty,
                    "announcements": announcements.items.map {
                        ["title": $0["title"] ?? "", "published": Display.time($0["publishedAt"]), "reads": $0["reads"] ?? 0,
                         "stores": ($0["stores"] as? [String] ?? []).joined(separator: ", ")]
                    },
                    "noAnnouncements": announcements.items.isEmpty, "mayAnnounce": Visitor.may([.admin, .hr]),
                    "done": Area.query(request, "done") ?? "",
                ], section: "/staff")
        }
        router.get("/staff/:id") { request, context in
            if let refusal = area.allowed(readers) { return refusal }
            let id = try context.parameters.require("id")
            let today = Display.today()
            let from = Area.query(request, "from") ?? String(today.prefix(8)) + "01"
            let to = Area.query(request, "to") ?? today
            let employee = try await area.succeeded("hr", "GET", "/employees/\(Area.encoded(id))")
            let range = "from=\(Area.encoded(from))&to=\(Area.encoded(to))"
            let timesheet = try await area.succeeded("hr", "GET", "/employees/\(Area.encoded(id))/timesheet?\(range)")
            let sales = try await area.succeeded("hr", "GET", "/employees/\(Area.encoded(id))/sales?\(range)")
            let days: [[String: Any]] = (timesheet.object["days"] as? [[String: Any]] ?? []).map { day in
                let shifts = day["shifts"] as? [[String: Any]] ?? []
                let flags = Set(shifts.flatMap { $0["flags"] as? [String] ?? [] }).sorted()
                let minutes = Display.integer(day["minutes"]) ?? 0
                return [
                    "day": Display.time(day["day"]), "hours": "\(minutes / 60) h \(minutes % 60) min", "shifts": shifts.count,
                    "flags": flags.map { area.texts["flag_\($0)"] ?? $0 }.joined(separator: ", "), "flagged": !flags.isEmpty,
                ]
            }
            let total = Display.integer(timesheet.object["totalMinutes"]) ?? 0
            return area.views.page(
                "employee", title: employee.object["name"] as? String ?? id,
                [
                    "id": id, "name": employee.object["name"] ?? "", "role": employee.object["role"] ?? "", "from": from, "to": to, "days": days,
                    "noDays": days.isEmpty, "total": "\(total / 60) h \(total % 60) min", "sales": Display.integer(sales.object["sales"]) ?? 0,
                    "returns": Display.integer(sales.object["returns"]) ?? 0, "amount": Display.money(sales.object["amountCents"]),
                ], section: "/staff")
        }
        router.post("/staff/announcements") { _, _ in
            let form = Form.current
            var body = #"{"title":\#(ServiceClient.json(form["title"] ?? "")),"body":\#(ServiceClient.json(form["body"] ?? ""))"#
            if let priority = form["priority"], !priority.isEmpty { body += #","priority":\#(ServiceClient.json(priority))"# }
            let stores = (form["stores"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if !stores.isEmpty { body += #","stores":[\#(stores.map(ServiceClient.json).joined(separator: ","))]"# }
            let answer = try await area.succeeded("hr", "POST", "/announcements", body: body + "}")
            let reached = (answer.object["stores"] as? [String] ?? []).count
            return area.done("/staff", "\(area.texts["announced"] ?? "") \(reached)")
        }
    }
}
