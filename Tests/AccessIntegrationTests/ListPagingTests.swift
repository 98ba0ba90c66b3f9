import Foundation
import HTTPTypes
import ServiceRuntime
import Testing
import TrastiendaTesting

@testable import billing
@testable import collections
@testable import hr
@testable import orders
@testable import sales_intake

/// Every list of every service (each operation whose document takes `limit`) answers pages: a bad limit or cursor is
/// a 400, a page holds at most `limit` items, and the next page starts after the last item of this one.
@Suite("Every list pages", .serialized)
struct ListPagingTests {
    /// Two of what each service lists, made as admin.
    static let seeds: [String: [(String, String, String)]] = [
        "billing": [
            ("PUT", "/issuers/B12345674", #"{"legalName":"Norte SL","address":"C/ Mayor 1","stores":["S001"]}"#),
            ("PUT", "/issuers/A58818501", #"{"legalName":"Sur SL","address":"C/ Real 2","stores":["S002"]}"#),
        ],
        "collections": [
            ("PUT", "/customers/B12345674", #"{"name":"Cliente","paymentTermsDays":30}"#),
            ("POST", "/customers/B12345674/notes", #"{"author":"ana","text":"llamar el lunes"}"#),
            ("POST", "/customers/B12345674/notes", #"{"author":"ana","text":"pagará el viernes"}"#),
        ],
        "hr": [
            ("PUT", "/employees/E1", #"{"name":"Luis","role":"cashier","stores":["S001"],"startDate":"2026-01-01"}"#),
            ("PUT", "/employees/E2", #"{"name":"Eva","role":"cashier","stores":["S001"],"startDate":"2026-01-01"}"#),
            ("POST", "/announcements", #"{"title":"Inventario","body":"El lunes","stores":["S001"]}"#),
            ("POST", "/announcements", #"{"title":"Horario","body":"Navidad","stores":["S001"]}"#),
        ],
        "orders": [
            ("POST", "/stock/S001/SKU-1/adjustments", #"{"quantity":5,"reason":"recuento"}"#),
            ("POST", "/stock/S001/SKU-2/adjustments", #"{"quantity":5,"reason":"recuento"}"#),
            ("POST", "/stock/S001/SKU-1/adjustments", #"{"quantity":-1,"reason":"rotura"}"#),
            ("PUT", "/reorder-rules/S001/SKU-1", #"{"minimum":1,"maximum":9}"#),
            ("PUT", "/reorder-rules/S001/SKU-2", #"{"minimum":1,"maximum":9}"#),
            ("POST", "/orders", #"{"orderId":"O-1","storeId":"S001","customer":{"name":"Cliente"},"lines":[{"sku":"SKU-1","quantity":1}]}"#),
            ("POST", "/orders", #"{"orderId":"O-2","storeId":"S001","customer":{"name":"Cliente"},"lines":[{"sku":"SKU-2","quantity":1}]}"#),
        ],
    ]

    @Test("limit and after on every list: 400 for bad ones, pages of at most limit, the next page after the last item")
    func everyListPages() async throws {
        for (definition, policy) in AccessControlTests.services {
            let lists = policy.operations.filter { $0.method == .get && $0.documentation.query.contains { $0.name == "limit" } }
            try await RunningService.with(definition) { service in
                for (method, path, body) in Self.seeds[definition.name] ?? [] {
                    let made = try await service.request(method, path, body: body)
                    #expect(made.status < 300, "\(method) \(path): \(made.body)")
                }
                for operation in lists {
                    let path = AccessControlTests.path(operation)
                    let join = path.contains("?") ? "&" : "?"
                    #expect(try await service.request("GET", path + join + "limit=0").status == 400, "\(path): limit 0")
                    #expect(try await service.request("GET", path + join + "limit=1001").status == 400, "\(path): limit 1001")
                    #expect(try await service.request("GET", path + join + "after=bm90LWEtY3Vyc29y").status == 400, "\(path): a bad cursor")
                    var seen: [String] = []
                    var next: String? = nil
                    var pages = 0
                    repeat {
                        let response = try await service.request("GET", path + join + "limit=1" + (next.map { "&after=\($0)" } ?? ""))
                        let page = try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any]
                        let items = page?["items"] as? [[String: Any]]
                        #expect(response.status == 200 && items != nil && items!.count <= 1, "\(definition.name) \(path): \(response.body)")
                        seen += (items ?? []).map { String(describing: $0.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }) }
                        next = page?["next"] as? String
                        pages += 1
                    } while next != nil && pages < 10
                    #expect(Set(seen).count == seen.count, "\(definition.name) \(path): an item came twice")
                    if path.hasPrefix("/issuers") || path.hasPrefix("/employees") || path.hasPrefix("/orders") || path.hasPrefix("/reorder-rules")
                        || path.hasPrefix("/announcements") || path.hasSuffix("/notes") || path.hasPrefix("/stock")
                    {
                        #expect(seen.count >= 2, "\(definition.name) \(path): walked \(seen.count) items one page at a time")
                    }
                }
            }
        }
    }
}
