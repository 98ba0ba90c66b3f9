import Foundation
import Hummingbird
import ServiceRuntime

/// Supply: a store's transfers (drafted here, shipped, received line by line) and its purchase orders (drafted from
/// the open replenishments, confirmed, received delivery by delivery, closed when no more will come).
enum SupplyPages {
    static let readers: Set<Role> = [.admin, .accountant, .storeManager, .auditor]
    static let changers: Set<Role> = [.admin, .storeManager]

    static func add(to router: Router<BasicRequestContext>, _ area: Area) {
        router.get("/supply") { request, _ in
            if let refusal = area.allowed(readers) { return refusal }
            let store = Area.query(request, "store") ?? Visitor.current?.account.stores?.first ?? "S001"
            let mayChange = Visitor.may(changers)
            let transfers = try await area.succeeded("orders", "GET", "/transfers?store=\(Area.encoded(store))&limit=50")
            let orders = try await area.succeeded("orders", "GET", "/purchase-orders?store=\(Area.encoded(store))&limit=50")
            let transferRows: [[String: Any]] = transfers.items.map { transfer in
                let id = Display.integer(transfer["id"]) ?? 0
                let status = transfer["status"] as? String ?? ""
                let lines = transfer["lines"] as? [[String: Any]] ?? []
                return [
                    "id": id, "from": transfer["fromStore"] ?? "", "to": transfer["toStore"] ?? "", "status": area.texts["transfer_\(status)"] ?? status,
                    "lines": lines.map { "\($0["sku"] ?? "") × \($0["quantity"] ?? 0)" + (($0["received"] as? NSNumber).map { " (\($0))" } ?? "") }
                        .joined(separator: ", "),
                    "ship": mayChange && status == "draft" && transfer["fromStore"] as? String == store ? "/supply/transfers/\(id)/ship?store=\(Area.encoded(store))" : "",
                    "receive": mayChange && status == "shipped" && transfer["toStore"] as? String == store
                        ? "/supply/transfers/\(id)/receive?store=\(Area.encoded(store))" : "",
                    "receiveLines": lines.map { ["sku": $0["sku"] ?? "", "quantity": $0["quantity"] ?? 0] },
                ]
            }
            let orderRows: [[String: Any]] = orders.items.map { order in
                let id = Display.integer(order["id"]) ?? 0
                let status = order["status"] as? String ?? ""
                let lines = order["lines"] as? [[String: Any]] ?? []
                let open = ["issued", "partially_received"].contains(status)
                return [
                    "id": id, "supplier": order["supplierId"] ?? "", "status": area.texts["po_\(status)"] ?? status, "total": Display.money(order["totalCents"]),
                    "expected": Display.time(order["expectedOn"]),
                    "lines": lines.map { "\($0["sku"] ?? "") \($0["received"] ?? 0)/\($0["quantity"] ?? 0)" }.joined(separator: ", "),
                    "confirm": mayChange && status == "draft" ? "/supply/purchase-orders/\(id)/confirm?store=\(Area.encoded(store))" : "",
                    "deliver": mayChange && open ? "/supply/purchase-orders/\(id)/deliver?store=\(Area.encoded(store))" : "",
                    "close": mayChange && status == "partially_received" ? "/supply/purchase-orders/\(id)/close?store=\(Area.encoded(store))" : "",
                    "deliverLines": lines.map {
                        ["sku": $0["sku"] ?? "", "quantity": max(0, (Display.integer($0["quantity"]) ?? 0) - (Display.integer($0["received"]) ?? 0))]
                    },
                ]
            }
            return area.views.page(
                "supply", title: area.texts["nav_supply"] ?? "",
                [
                    "store": store, "transfers": transferRows, "noTransfers": transferRows.isEmpty, "orders": orderRows, "noOrders": orderRows.isEmpty,
                    "mayChange": mayChange, "draftAction": "/supply/purchase-orders/draft?store=\(Area.encoded(store))",
                    "transferAction": "/supply/transfers?store=\(Area.encoded(store))", "done": Area.query(request, "done") ?? "",
                ], section: "/supply")
        }
        router.post("/supply/transfers") { request, _ in
            let store = Area.query(request, "store") ?? ""
            let form = Form.current
            guard let quantity = Int64(form["quantity"] ?? "") else { return area.views.refusal(.badRequest, area.texts["whole_numbers"] ?? "") }
            let body = #"{"fromStore":\#(ServiceClient.json(store)),"toStore":\#(ServiceClient.json(form["to"] ?? "")),"lines":[{"sku":\#(ServiceClient.json(form["sku"] ?? "")),"quantity":\#(quantity)}]}"#
            let answer = try await area.succeeded("orders", "POST", "/transfers", body: body)
            return area.done("/supply?store=\(Area.encoded(store))", "\(area.texts["transfer_drafted"] ?? "") \(Display.integer(answer.object["id"]) ?? 0)")
        }
        router.post("/supply/transfers/:id/ship") { request, context in
            let (id, store) = (try context.parameters.require("id"), Area.query(request, "store") ?? "")
            _ = try await area.succeeded("orders", "POST", "/transfers/\(Area.encoded(id))/ship", body: "{}")
            return area.done("/supply?store=\(Area.encoded(store))", "\(area.texts["transfer_sent"] ?? "") \(id)")
        }
        router.post("/supply/transfers/:id/receive") { request, context in
            let (id, store) = (try context.parameters.require("id"), Area.query(request, "store") ?? "")
            guard let lines = linesFromForm() else { return area.views.refusal(.badRequest, area.texts["whole_numbers"] ?? "") }
            _ = try await area.succeeded("orders", "POST", "/transfers/\(Area.encoded(id))/receive", body: #"{"lines":\#(lines)}"#)
            return area.done("/supply?store=\(Area.encoded(store))", "\(area.texts["transfer_taken_in"] ?? "") \(id)")
        }
        router.post("/supply/purchase-orders/draft") { request, _ in
            let store = Area.query(request, "store") ?? ""
            let answer = try await area.succeeded("orders", "POST", "/purchase-orders/drafts?store=\(Area.encoded(store))", body: "{}")
            let count = (answer.object["items"] as? [Any])?.count ?? 0
            return area.done("/supply?store=\(Area.encoded(store))", "\(count) \(area.texts["po_drafted"] ?? "")")
        }
        for (action, said) in [("confirm", "po_confirmed"), ("close", "po_ended")] {
            router.post("/supply/purchase-orders/:id/\(action)") { request, context in
                let (id, store) = (try context.parameters.require("id"), Area.query(request, "store") ?? "")
                _ = try await area.succeeded("orders", "POST", "/purchase-orders/\(Area.encoded(id))/\(action)", body: "{}")
                return area.done("/supply?store=\(Area.encoded(store))", "\(area.texts[said] ?? "") \(id)")
            }
        }
        router.post("/supply/purchase-orders/:id/deliver") { request, context in
            let (id, store) = (try context.parameters.require("id"), Area.query(request, "store") ?? "")
            guard let lines = linesFromForm() else { return area.views.refusal(.badRequest, area.texts["whole_numbers"] ?? "") }
            _ = try await area.succeeded(
                "orders", "POST", "/purchase-orders/\(Area.encoded(id))/deliveries",
                body: #"{"lines":\#(lines),"note":\#(ServiceClient.json(Form.current["note"] ?? ""))}"#)
            return area.done("/supply?store=\(Area.encoded(store))", "\(area.texts["po_delivered"] ?? "") \(id)")
        }
    }

    /// The form's `qty_<sku>` fields as JSON lines; nil when one is not a whole number.
    private static func linesFromForm() -> String? {
        var lines: [String] = []
        for (name, value) in Form.current.fields.sorted(by: { $0.key < $1.key }) where name.hasPrefix("qty_") {
            guard let quantity = Int64(value.trimmingCharacters(in: .whitespaces)) else { return nil }
            lines.append(#"{"sku":\#(ServiceClient.json(String(name.dropFirst(4)))),"quantity":\#(quantity)}"#)
        }
        return "[" + lines.joined(separator: ",") + "]"
    }
}
