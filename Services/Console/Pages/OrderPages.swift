import Foundation
import Hummingbird
import ServiceRuntime

/// Customer orders: the list by store and status, one order with its lines, history and incidents, and only the
/// transitions it can take, as buttons.
enum OrderPages {
    static let readers: Set<Role> = [.admin, .accountant, .storeManager, .auditor]
    static let statuses = ["registered", "confirmed", "picked", "shipped", "delivered", "cancelled"]

    static func add(to router: Router<BasicRequestContext>, _ area: Area) {
        router.get("/orders") { request, _ in
            if let refusal = area.allowed(readers) { return refusal }
            let store = Area.query(request, "store") ?? Visitor.current?.account.stores?.first
            let status = Area.query(request, "status")
            var path = "/orders?limit=50"
            if let store { path += "&store=\(Area.encoded(store))" }
            if let status { path += "&status=\(Area.encoded(status))" }
            if let after = Area.query(request, "after") { path += "&after=\(Area.encoded(after))" }
            let answer = try await area.succeeded("orders", "GET", path)
            let orders: [[String: Any]] = answer.items.map {
                [
                    "id": $0["orderId"] ?? "", "link": "/orders/\(Area.encoded($0["orderId"] as? String ?? ""))", "store": $0["storeId"] ?? "",
                    "status": area.texts["status_\($0["status"] as? String ?? "")"] ?? "", "customer": ($0["customer"] as? [String: Any])?["name"] ?? "",
                    "updated": Display.time($0["updatedAt"]),
                ]
            }
            let options: [[String: Any]] = statuses.map { ["value": $0, "label": area.texts["status_\($0)"] ?? $0, "selected": $0 == status] }
            let next = answer.next.map { "/orders?store=\(Area.encoded(store ?? ""))&status=\(Area.encoded(status ?? ""))&after=\(Area.encoded($0))" }
            return area.views.page(
                "orders", title: area.texts["nav_orders"] ?? "",
                ["store": store ?? "", "statuses": options, "orders": orders, "none": orders.isEmpty, "next": next ?? "", "hasNext": next != nil],
                section: "/orders")
        }
        router.get("/orders/:id") { request, context in
            if let refusal = area.allowed(readers) { return refusal }
            let id = try context.parameters.require("id")
            let answer = try await area.succeeded("orders", "GET", "/orders/\(Area.encoded(id))")
            let order = answer.object
            let mayChange = Visitor.may([.admin, .storeManager])
            let next: [[String: Any]] = (order["next"] as? [String] ?? []).map { ["to": $0, "label": area.texts["to_\($0)"] ?? $0] }
            return area.views.page(
                "order", title: id,
                [
                    "id": id, "store": order["storeId"] ?? "", "status": area.texts["status_\(order["status"] as? String ?? "")"] ?? "",
                    "customer": (order["customer"] as? [String: Any])?["name"] ?? "",
                    "lines": order["lines"] as? [[String: Any]] ?? [],
                    "history": (order["history"] as? [[String: Any]] ?? []).map {
                        ["at": Display.time($0["at"]), "event": $0["event"] ?? "", "status": area.texts["status_\($0["status"] as? String ?? "")"] ?? "",
                         "note": $0["note"] ?? ""]
                    },
                    "incidents": (order["incidents"] as? [[String: Any]] ?? []).map { ["at": Display.time($0["at"]), "note": $0["note"] ?? ""] },
                    "next": next, "mayChange": mayChange && !next.isEmpty, "action": "/orders/\(Area.encoded(id))/transition",
                    "done": Area.query(request, "done") ?? "",
                ], section: "/orders")
        }
        router.post("/orders/:id/transition") { _, context in
            let id = try context.parameters.require("id")
            let to = Form.current["to"] ?? ""
            _ = try await area.succeeded("orders", "POST", "/orders/\(Area.encoded(id))/transitions", body: #"{"to":\#(ServiceClient.json(to))}"#)
            return area.done("/orders/\(Area.encoded(id))", area.texts["status_\(to)"] ?? to)
        }
    }
}
