import Foundation
import Hummingbird
import ServiceRuntime

/// Stock: a store's levels with low and negative ones marked, a SKU's movements, reorder rules edited in place or
/// imported from a CSV, and the open replenishments, received from here.
enum StockPages {
    static let readers: Set<Role> = [.admin, .accountant, .storeManager, .auditor]
    static let changers: Set<Role> = [.admin, .storeManager]

    static func add(to router: Router<BasicRequestContext>, _ area: Area) {
        router.get("/stock") { request, _ in
            if let refusal = area.allowed(readers) { return refusal }
            let store = Area.query(request, "store") ?? Visitor.current?.account.stores?.first ?? "S001"
            var path = "/stock?store=\(Area.encoded(store))&limit=100"
            if let after = Area.query(request, "after") { path += "&after=\(Area.encoded(after))" }
            let levels = try await area.succeeded("orders", "GET", path)
            let rulesAnswer = try await area.succeeded("orders", "GET", "/reorder-rules?store=\(Area.encoded(store))&limit=1000")
            var rules: [String: [String: Any]] = [:]
            for rule in rulesAnswer.items { rules[rule["sku"] as? String ?? ""] = rule }
            let mayChange = Visitor.may(changers)
            let rows: [[String: Any]] = levels.items.map { level in
                let sku = level["sku"] as? String ?? ""
                let available = Display.integer(level["available"]) ?? 0
                let rule = rules[sku]
                let minimum = Display.integer(rule?["minimum"])
                return [
                    "sku": sku, "link": "/stock/\(Area.encoded(store))/\(Area.encoded(sku))", "onHand": level["onHand"] ?? 0,
                    "reserved": level["reserved"] ?? 0, "available": available, "negative": available < 0, "inTransit": level["inTransit"] ?? 0,
                    "transferFrom": rule?["transferFrom"] as? String ?? "",
                    "low": available >= 0 && minimum.map { available <= $0 } == true, "minimum": minimum.map(String.init) ?? "",
                    "maximum": Display.integer(rule?["maximum"]).map(String.init) ?? "", "multiple": Display.integer(rule?["multiple"]).map(String.init) ?? "1",
                    "ruleAction": "/stock/rules/\(Area.encoded(store))/\(Area.encoded(sku))", "mayChange": mayChange,
                ]
            }
            let open = try await area.services.call("orders", "GET", "/replenishments?status=open&store=\(Area.encoded(store))&limit=100")
            let replenishments: [[String: Any]] = open.items.map {
                [
                    "id": $0["id"] ?? "", "sku": $0["sku"] ?? "", "quantity": $0["quantity"] ?? "", "requested": Display.time($0["requestedAt"]),
                    "action": "/stock/replenishments/\(Display.integer($0["id"]) ?? 0)/receive?store=\(Area.encoded(store))", "mayChange": mayChange,
                ]
            }
            let next = levels.next.map { "/stock?store=\(Area.encoded(store))&after=\(Area.encoded($0))" }
            return area.views.page(
                "stock", title: area.texts["nav_stock"] ?? "",
                [
                    "store": store, "rows": rows, "none": rows.isEmpty, "replenishments": replenishments, "noReplenishments": replenishments.isEmpty,
                    "next": next ?? "", "hasNext": next != nil, "mayChange": mayChange, "mayImport": Visitor.may([.admin]),
                    "done": Area.query(request, "done") ?? "",
                ], section: "/stock")
        }
        router.get("/stock/:store/:sku") { request, context in
            if let refusal = area.allowed(readers) { return refusal }
            let (store, sku) = (try context.parameters.require("store"), try context.parameters.require("sku"))
            var path = "/stock/\(Area.encoded(store))/\(Area.encoded(sku))/movements?limit=100"
            if let after = Area.query(request, "after") { path += "&after=\(Area.encoded(after))" }
            let answer = try await area.succeeded("orders", "GET", path)
            let movements: [[String: Any]] = answer.items.map {
                [
                    "at": Display.time($0["at"]), "kind": area.texts["movement_\($0["kind"] as? String ?? "")"] ?? ($0["kind"] ?? ""),
                    "onHand": $0["onHandChange"] ?? 0, "reserved": $0["reservedChange"] ?? 0, "reference": $0["reference"] ?? "",
                ]
            }
            let next = answer.next.map { "/stock/\(Area.encoded(store))/\(Area.encoded(sku))?after=\(Area.encoded($0))" }
            return area.views.page(
                "movements", title: sku,
                ["store": store, "sku": sku, "movements": movements, "none": movements.isEmpty, "next": next ?? "", "hasNext": next != nil,
                 "back": "/stock?store=\(Area.encoded(store))"],
                section: "/stock")
        }
        router.post("/stock/rules/:store/:sku") { _, context in
            let (store, sku) = (try context.parameters.require("store"), try context.parameters.require("sku"))
            let form = Form.current
            guard let minimum = Int64(form["minimum"] ?? ""), let maximum = Int64(form["maximum"] ?? ""), let multiple = Int64(form["multiple"] ?? "1")
            else { return area.views.refusal(.badRequest, area.texts["whole_numbers"] ?? "") }
            // The store the rule brings from stays as it was (the page does not edit it).
            let from = (form["transferFrom"] ?? "").isEmpty ? "" : #","transferFrom":\#(ServiceClient.json(form["transferFrom"] ?? ""))"#
            _ = try await area.succeeded(
                "orders", "PUT", "/reorder-rules/\(Area.encoded(store))/\(Area.encoded(sku))",
                body: #"{"minimum":\#(minimum),"maximum":\#(maximum),"multiple":\#(multiple)\#(from)}"#)
            return area.done("/stock?store=\(Area.encoded(store))", "\(area.texts["rule_saved"] ?? "") \(sku)")
        }
        router.post("/stock/rules/import") { _, _ in
            let form = Form.current
            let store = form["store"] ?? ""
            guard let csv = form.files["file"], !csv.isEmpty else { return area.views.refusal(.badRequest, area.texts["csv_missing"] ?? "") }
            let answer = try await area.succeeded("orders", "POST", "/reorder-rules/import", body: csv, contentType: "text/csv")
            let count = Display.integer(answer.object["imported"]) ?? 0
            return area.done("/stock?store=\(Area.encoded(store))", "\(count) \(area.texts["rules_imported"] ?? "")")
        }
        router.post("/stock/replenishments/:id/receive") { request, context in
            let id = try context.parameters.require("id")
            let store = Area.query(request, "store") ?? ""
            let quantity = Form.current["quantity"].flatMap { Int64($0) }
            let answer = try await area.succeeded(
                "orders", "POST", "/replenishments/\(Area.encoded(id))/receive", body: quantity.map { #"{"quantity":\#($0)}"# } ?? "{}")
            return area.done("/stock?store=\(Area.encoded(store))", "\(area.texts["received"] ?? "") \(Display.integer(answer.object["receivedQuantity"]) ?? 0)")
        }
    }
}
