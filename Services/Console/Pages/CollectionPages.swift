import Foundation
import Hummingbird
import ServiceRuntime

/// Collections: aging by customer or store, one customer's statement, recording a payment, a write-off with its
/// reason, and the dunning notices raised.
enum CollectionPages {
    static let readers: Set<Role> = [.admin, .accountant, .auditor]

    static func add(to router: Router<BasicRequestContext>, _ area: Area) {
        router.get("/collections") { request, _ in
            if let refusal = area.allowed(readers) { return refusal }
            let by = Area.query(request, "by") == "store" ? "store" : "customer"
            let aging = try await area.succeeded("collections", "GET", "/aging?by=\(by)&limit=200")
            let rows: [[String: Any]] = aging.items.map {
                [
                    "key": $0["key"] ?? "", "link": by == "customer" ? "/collections/customers/\(Area.encoded($0["key"] as? String ?? ""))" : "",
                    "notYetDue": Display.money($0["notYetDue"]), "days1to30": Display.money($0["days1to30"]), "days31to60": Display.money($0["days31to60"]),
                    "days61to90": Display.money($0["days61to90"]), "over90": Display.money($0["over90"]), "total": Display.money($0["total"]),
                ]
            }
            let dunning = try await area.services.call("collections", "GET", "/dunning?limit=50")
            let notices: [[String: Any]] = dunning.items.map {
                ["raised": Display.time($0["raisedOn"]), "customer": $0["customerTaxId"] ?? "", "invoice": $0["invoiceNumber"] ?? "", "level": $0["name"] ?? ""]
            }
            return area.views.page(
                "collections", title: area.texts["nav_collections"] ?? "",
                [
                    "byCustomer": by == "customer", "rows": rows, "none": rows.isEmpty, "notices": notices, "noNotices": notices.isEmpty,
                    "mayPay": mayAct, "done": Area.query(request, "done") ?? "",
                ], section: "/collections")
        }
        router.get("/collections/customers/:taxId") { request, context in
            if let refusal = area.allowed(readers) { return refusal }
            let taxId = try context.parameters.require("taxId")
            let answer = try await area.succeeded("collections", "GET", "/customers/\(Area.encoded(taxId))/statement")
            let statement = answer.object
            let open: [[String: Any]] = (statement["open"] as? [[String: Any]] ?? []).map {
                [
                    "id": $0["id"] ?? "", "invoice": $0["invoiceNumber"] ?? "", "due": Display.time($0["dueDate"]),
                    "outstanding": Display.money($0["outstandingCents"]), "action": "/collections/receivables/\(Display.integer($0["id"]) ?? 0)/write-off?customer=\(Area.encoded(taxId))",
                ]
            }
            let entries: [[String: Any]] = (statement["entries"] as? [[String: Any]] ?? []).map {
                ["at": Display.time($0["at"]), "kind": $0["kind"] ?? "", "reference": $0["reference"] ?? "", "amount": Display.money($0["amountCents"])]
            }
            return area.views.page(
                "statement", title: taxId,
                [
                    "taxId": taxId, "name": statement["name"] ?? "", "balance": Display.money(statement["balanceCents"]),
                    "credit": Display.money(statement["creditCents"]), "open": open, "noOpen": open.isEmpty, "entries": entries,
                    "mayAct": mayAct, "done": Area.query(request, "done") ?? "",
                ], section: "/collections")
        }
        router.post("/collections/payments") { _, _ in
            let form = Form.current
            guard let cents = Self.cents(form["amount"] ?? ""), cents > 0 else { return area.views.refusal(.badRequest, area.texts["amount_format"] ?? "") }
            let customer = form["customer"] ?? ""
            var body = #"{"paymentId":\#(ServiceClient.json(form["paymentId"] ?? "")),"customerTaxId":\#(ServiceClient.json(customer)),"amountCents":\#(cents)"#
            if let invoice = form["invoice"], !invoice.isEmpty { body += #","invoiceNumber":\#(ServiceClient.json(invoice))"# }
            _ = try await area.succeeded("collections", "POST", "/payments", body: body + "}")
            return area.done("/collections", "\(area.texts["payment_recorded"] ?? "") \(Display.money(cents))")
        }
        router.post("/collections/receivables/:id/write-off") { request, context in
            let id = try context.parameters.require("id")
            let form = Form.current
            guard form["confirm"] == "yes" else { return area.views.refusal(.badRequest, area.texts["confirm_needed"] ?? "") }
            _ = try await area.succeeded(
                "collections", "POST", "/receivables/\(Area.encoded(id))/write-off", body: #"{"reason":\#(ServiceClient.json(form["reason"] ?? ""))}"#)
            return area.done("/collections/customers/\(Area.encoded(Area.query(request, "customer") ?? ""))", area.texts["written_off"] ?? "")
        }
    }

    static var mayAct: Bool { Visitor.may([.admin, .accountant]) }

    /// An amount as people type it (`1.234,56`, `1234.56`, `12`) in cents; nil when it is not one. No floating point.
    static func cents(_ text: String) -> Int64? {
        var digits = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "€", with: "").trimmingCharacters(in: .whitespaces)
        // The last separator followed by one or two digits is the decimal one; the others group thousands.
        var fraction = "00"
        if let separator = digits.lastIndex(where: { $0 == "," || $0 == "." }) {
            let after = digits[digits.index(after: separator)...]
            if after.count == 1 || after.count == 2 {
                fraction = after.count == 1 ? after + "0" : String(after)
                digits = String(digits[..<separator])
            }
        }
        digits = digits.replacingOccurrences(of: ".", with: "").replacingOccurrences(of: ",", with: "")
        guard !digits.isEmpty, digits.count <= 12, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), fraction.allSatisfy(\.isNumber),
            let whole = Int64(digits), let part = Int64(fraction)
        else { return nil }
        return whole * 100 + part
    }
}
