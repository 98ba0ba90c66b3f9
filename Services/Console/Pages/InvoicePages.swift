import Foundation
import Hummingbird
import ServiceRuntime

/// Invoices: a store's documents by date (or one found by its number), one invoice as its printable document with its
/// QR and its VERI*FACTU state, and its cancellation, confirmed.
enum InvoicePages {
    static let readers: Set<Role> = [.admin, .accountant, .storeManager, .auditor]

    static func add(to router: Router<BasicRequestContext>, _ area: Area) {
        router.get("/invoices") { request, _ in
            if let refusal = area.allowed(readers) { return refusal }
            if let number = Area.query(request, "number"), let slash = number.lastIndex(of: "/") {
                let series = number[..<slash], sequence = number[number.index(after: slash)...]
                return Response.redirect(to: "/invoices/\(Area.encoded(String(series)))/\(Area.encoded(String(sequence)))", type: .found)
            }
            let store = Area.query(request, "store") ?? Visitor.current?.account.stores?.first ?? "S001"
            let from = Area.query(request, "from") ?? Display.today()
            let to = Area.query(request, "to") ?? Display.today()
            var path = "/invoices?store=\(Area.encoded(store))&from=\(Area.encoded(from))&to=\(Area.encoded(to))&limit=50"
            if let after = Area.query(request, "after") { path += "&after=\(Area.encoded(after))" }
            let answer = try await area.succeeded("billing", "GET", path)
            let invoices: [[String: Any]] = answer.items.map { invoice in
                let number = invoice["number"] as? String ?? ""
                let sequence = Display.integer(invoice["sequence"]) ?? 0
                return [
                    "number": number, "link": "/invoices/\(Area.encoded(invoice["series"] as? String ?? ""))/\(sequence)",
                    "date": Display.time(invoice["issueDate"]), "kind": area.texts["kind_\(invoice["kind"] as? String ?? "")"] ?? "",
                    "customer": (invoice["customer"] as? [String: Any])?["name"] ?? "", "total": Display.money(invoice["totalCents"]),
                ]
            }
            let next = answer.next.map { "/invoices?store=\(Area.encoded(store))&from=\(from)&to=\(to)&after=\(Area.encoded($0))" }
            return area.views.page(
                "invoices", title: area.texts["nav_invoices"] ?? "",
                ["store": store, "from": from, "to": to, "invoices": invoices, "none": invoices.isEmpty, "next": next ?? "", "hasNext": next != nil],
                section: "/invoices")
        }
        router.get("/invoices/:series/:number") { request, context in
            if let refusal = area.allowed(readers) { return refusal }
            let (series, number) = (try context.parameters.require("series"), try context.parameters.require("number"))
            let path = "/invoices/\(Area.encoded(series))/\(Area.encoded(number))"
            let answer = try await area.succeeded("billing", "GET", path)
            let invoice = answer.object
            let records = try await area.services.call("billing", "GET", path + "/verifactu")
            let states: [[String: Any]] = (records.json as? [[String: Any]] ?? []).map {
                [
                    "position": $0["chainPosition"] ?? "", "operation": area.texts["record_\($0["operation"] as? String ?? "")"] ?? "",
                    "state": area.texts["state_\($0["state"] as? String ?? "")"] ?? ($0["state"] ?? ""), "csv": $0["csv"] ?? "",
                    "error": $0["errorDescription"] ?? "", "late": ($0["late"] as? Bool) == true,
                ]
            }
            let mayCancel = Visitor.may([.admin, .accountant])
            return area.views.page(
                "invoice", title: invoice["number"] as? String ?? "",
                [
                    "number": invoice["number"] ?? "", "print": path + "/print", "states": states, "hasStates": !states.isEmpty,
                    "mayCancel": mayCancel, "action": path + "/cancel", "done": Area.query(request, "done") ?? "",
                    "total": Display.money(invoice["totalCents"]), "date": Display.time(invoice["issueDate"]),
                ], section: "/invoices")
        }
        router.get("/invoices/:series/:number/print") { request, context in
            if let refusal = area.allowed(readers) { return refusal }
            let (series, number) = (try context.parameters.require("series"), try context.parameters.require("number"))
            let width = Area.query(request, "width") == "a4" ? "a4" : "ticket"
            let answer = try await area.succeeded("billing", "GET", "/invoices/\(Area.encoded(series))/\(Area.encoded(number)).html?width=\(width)")
            // Billing's own printable page, as it is (its styles are its own).
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(string: answer.body)))
        }
        router.post("/invoices/:series/:number/cancel") { _, context in
            let (series, number) = (try context.parameters.require("series"), try context.parameters.require("number"))
            let path = "/invoices/\(Area.encoded(series))/\(Area.encoded(number))"
            let form = Form.current
            guard form["confirm"] == "yes" else { return area.views.refusal(.badRequest, area.texts["confirm_needed"] ?? "") }
            _ = try await area.succeeded(
                "billing", "POST", path + "/cancellation", body: #"{"reason":\#(ServiceClient.json(form["reason"] ?? ""))}"#)
            return area.done(path, area.texts["cancelled"] ?? "")
        }
    }
}
