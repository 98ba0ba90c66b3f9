import Foundation
import Hummingbird
import ServiceRuntime

/// Tills: a store's day (its tills' Z reports summed) and its sessions, and one session's Z report with its late
/// sales and a link to the page to print.
enum TillPages {
    static let readers: Set<Role> = [.admin, .accountant, .storeManager, .auditor]

    static func add(to router: Router<BasicRequestContext>, _ area: Area) {
        router.get("/tills") { request, _ in
            if let refusal = area.allowed(readers) { return refusal }
            let store = Area.query(request, "store") ?? Visitor.current?.account.stores?.first ?? "S001"
            let date = Area.query(request, "date") ?? Display.today()
            let day = try await area.succeeded("collections", "GET", "/tills/day?store=\(Area.encoded(store))&date=\(Area.encoded(date))").object
            let sessions = try await area.succeeded("collections", "GET", "/tills/sessions?store=\(Area.encoded(store))&date=\(Area.encoded(date))&limit=100")
            let rows: [[String: Any]] = sessions.items.map {
                let status = $0["status"] as? String ?? ""
                return [
                    "link": "/tills/\(Display.integer($0["id"]) ?? 0)", "terminal": $0["terminalId"] ?? "", "status": area.texts["till_\(status)"] ?? status,
                    "opened": Display.time($0["openedAt"]), "closed": Display.time($0["closedAt"]), "z": $0["zNumber"] ?? "",
                    "documents": $0["documents"] ?? 0, "late": Display.integer($0["lateDocuments"]) ?? 0,
                    "hasLate": (Display.integer($0["lateDocuments"]) ?? 0) > 0,
                ]
            }
            return area.views.page(
                "tills", title: area.texts["nav_tills"] ?? "",
                [
                    "store": store, "date": date, "rows": rows, "none": rows.isEmpty, "methods": methods(day["methods"], area),
                    "sales": Display.money((day["sales"] as? [String: Any])?["totalCents"]), "salesCount": (day["sales"] as? [String: Any])?["count"] ?? 0,
                    "returns": Display.money((day["returns"] as? [String: Any])?["totalCents"]),
                    "difference": Display.money(day["differenceCents"]), "short": (Display.integer(day["differenceCents"]) ?? 0) < 0,
                    "unreported": day["unreportedSessions"] ?? 0, "lateCount": (day["late"] as? [String: Any])?["count"] ?? 0,
                ], section: "/tills")
        }
        router.get("/tills/:id") { _, context in
            if let refusal = area.allowed(readers) { return refusal }
            let id = try context.parameters.require("id")
            let answer = try await area.succeeded("collections", "GET", "/tills/sessions/\(Area.encoded(id))/z-report").object
            let report = answer["zReport"] as? [String: Any] ?? [:]
            let late = answer["late"] as? [String: Any] ?? [:]
            let taxes: [[String: Any]] = (report["taxes"] as? [[String: Any]] ?? []).map {
                ["rate": $0["rate"] ?? 0, "base": Display.money($0["baseCents"]), "tax": Display.money($0["taxCents"]), "surcharge": Display.money($0["surchargeCents"])]
            }
            let lateLines: [[String: Any]] = (late["documents"] as? [[String: Any]] ?? []).map {
                ["receipt": $0["receiptNumber"] ?? "", "invoice": $0["invoiceNumber"] ?? "", "total": Display.money($0["totalCents"])]
            }
            let invoices = report["invoiceNumbers"] as? [String] ?? []
            return area.views.page(
                "till", title: "\(area.texts["z_report"] ?? "Z") \(report["zNumber"] ?? "") · \(report["terminalId"] ?? "")",
                [
                    "store": report["storeId"] ?? "", "terminal": report["terminalId"] ?? "", "session": report["sessionId"] ?? "",
                    "cashier": report["cashierId"] ?? "", "opened": Display.time(report["openedAt"]), "closed": Display.time(report["closedAt"]),
                    "issued": Display.time(report["issuedAt"]), "methods": methods(report["methods"], area),
                    "sales": Display.money((report["sales"] as? [String: Any])?["totalCents"]), "salesCount": (report["sales"] as? [String: Any])?["count"] ?? 0,
                    "returns": Display.money((report["returns"] as? [String: Any])?["totalCents"]),
                    "returnsCount": (report["returns"] as? [String: Any])?["count"] ?? 0,
                    "float": Display.money((report["cash"] as? [String: Any])?["openingFloatCents"]),
                    "paidIn": Display.money((report["cash"] as? [String: Any])?["paidInCents"]),
                    "paidOut": Display.money((report["cash"] as? [String: Any])?["paidOutCents"]), "onAccount": Display.money(report["onAccountCents"]),
                    "difference": Display.money(report["differenceCents"]), "short": (Display.integer(report["differenceCents"]) ?? 0) < 0,
                    "taxes": taxes, "first": report["firstReceipt"] ?? "", "last": report["lastReceipt"] ?? "",
                    "invoices": invoices.count, "firstInvoice": invoices.first ?? "", "lastInvoice": invoices.last ?? "",
                    "late": lateLines, "hasLate": !lateLines.isEmpty, "lateTotal": Display.money(late["totalCents"]),
                    "lateCash": Display.money(late["cashCents"]), "cashDifferenceWithLate": Display.money(late["cashDifferenceCents"]),
                    "print": "/tills/\(Area.encoded(id))/print", "back": "/tills?store=\(Area.encoded(report["storeId"] as? String ?? ""))",
                ], section: "/tills")
        }
        // The page collections prints, as it is.
        router.get("/tills/:id/print") { _, context in
            if let refusal = area.allowed(readers) { return refusal }
            let id = try context.parameters.require("id")
            let answer = try await area.succeeded("collections", "GET", "/tills/sessions/\(Area.encoded(id))/z-report.html")
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: answer.body)))
        }
    }

    private static func methods(_ value: Any?, _ area: Area) -> [[String: Any]] {
        (value as? [[String: Any]] ?? []).map {
            [
                "method": area.texts["method_\($0["method"] as? String ?? "")"] ?? "", "expected": Display.money($0["expectedCents"]),
                "counted": Display.money($0["countedCents"]), "difference": Display.money($0["differenceCents"]),
                "short": (Display.integer($0["differenceCents"]) ?? 0) < 0,
            ]
        }
    }
}
