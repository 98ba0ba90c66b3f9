import Foundation
import Hummingbird
import ServiceRuntime

/// Today: per store, the day's sales and amount with the hours as a small chart, refusals by code, and whether each
/// service is ready.
enum TodayPage {
    static let services = ["sales-intake", "billing", "orders", "collections", "hr"]

    static func add(to router: Router<BasicRequestContext>, _ area: Area) {
        router.get("/") { _, _ in
            let day = Display.today()
            let answer = try await area.services.call("sales-intake", "GET", "/stats/day?day=\(day)&timeZone=\(Area.encoded(Display.timeZone.identifier))")
            let stores: [[String: Any]] = (answer.object["stores"] as? [[String: Any]] ?? []).map { store in
                let hours = store["hours"] as? [[String: Any]] ?? []
                return [
                    "store": store["storeId"] ?? "", "sales": Display.integer(store["sales"]) ?? 0, "amount": Display.money(store["totalCents"]),
                    "chart": chart(hours),
                ]
            }
            var refusals: [[String: Any]] = []
            if Visitor.may([.admin, .accountant, .auditor]) {
                let stats = try await area.services.call("sales-intake", "GET", "/stats")
                let byCode = (stats.object["sinceStart"] as? [String: Any])?["rejectedByCode"] as? [String: Any] ?? [:]
                refusals = byCode.keys.sorted().map { ["code": $0, "count": Display.integer(byCode[$0]) ?? 0] }
            }
            var health: [[String: Any]] = []
            for service in services {
                let ready = try await area.services.call(service, "GET", "/health/ready", as: nil)
                health.append(["service": service, "ready": ready.status == 200])
            }
            return area.views.page(
                "today", title: area.texts["nav_today"] ?? "",
                [
                    "day": Display.time(day), "stores": stores, "noSales": stores.isEmpty, "refusals": refusals, "hasRefusals": !refusals.isEmpty,
                    "health": health, "salesFailed": !answer.ok, "salesMessage": answer.ok ? "" : answer.message,
                ], section: "/")
        }
    }

    /// The day's hours as bars, drawn on the server: 24 columns, the tallest the busiest hour.
    static func chart(_ hours: [[String: Any]]) -> String {
        var counts = [Int64](repeating: 0, count: 24)
        for hour in hours {
            if let index = Display.integer(hour["hour"]), (0..<24).contains(index) { counts[Int(index)] = Display.integer(hour["sales"]) ?? 0 }
        }
        let top = max(counts.max() ?? 0, 1)
        var bars = ""
        for (index, count) in counts.enumerated() where count > 0 {
            let height = Int(count * 40 / top)
            bars += #"<rect x="\#(index * 10 + 1)" y="\#(44 - height)" width="8" height="\#(height)"><title>\#(index):00 · \#(count)</title></rect>"#
        }
        let labels = [0, 6, 12, 18].map { #"<text x="\#($0 * 10)" y="56">\#($0)h</text>"# }.joined()
        return #"<svg class="chart" viewBox="0 0 240 58" role="img" aria-label="sales by hour">\#(bars)\#(labels)</svg>"#
    }
}
