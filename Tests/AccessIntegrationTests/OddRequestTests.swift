import Foundation
import Testing
import TrastiendaTesting

@testable import billing
@testable import hr

/// Requests a careless or hostile client sends: each gets a 4xx with a message in the one error shape, nothing is
/// stored cut short, and the service goes on answering.
@Suite("Odd HTTP requests", .serialized)
struct OddRequestTests {
    @Test("dates out of range, NUL and control characters in names and titles, unknown routes: 4xx with the error shape, nothing stored")
    func oddRequests() async throws {
        try await RunningService.with(Billing.definition) { service in
            for (method, path, body) in [
                ("GET", "/invoices?store=S001&from=0000-01-01&to=9999-12-31", nil),
                ("GET", "/invoices?store=S001&from=2026-02-30&to=2026-03-01", nil),
                ("PUT", "/issuers/B12345674", #"{"legalName":"Norte\u0000 SL","address":"Burgos","stores":["S001"]}"#),
                ("PUT", "/issuers/B12345674", #"{"legalName":"Norte\u001b SL","address":"Burgos","stores":["S001"]}"#),
                ("PUT", "/issuers/B12345674", #"{"legalName":"Norte SL","address":"Burgos","stores":["S\u0000"]}"#),
                ("POST", "/invoices/S001-2026/1/substitution", #"{"customer":{"taxId":"B12345674","name":"X\u0000"}}"#),
                ("GET", "/invoices/S001-2026/99999999999999999999999", nil),
            ] {
                let response = try await service.request(method, path, body: body)
                #expect((400..<500).contains(response.status) && response.body.contains(#""error":{"code":"#), "\(method) \(path): \(response.status) \(response.body)")
            }
            #expect(try await service.request("GET", "/issuers/B12345674").status == 404, "nothing was stored cut at the NUL")
            let missing = try await service.request("GET", "/nothing/here")
            #expect(missing.status == 404 && missing.body.contains(#""code":"not_found""#), "\(missing.body)")
            #expect(try await service.request("GET", "/health/ready").status == 200)
        }
        try await RunningService.with(HR.definition) { service in
            for (method, path, body) in [
                ("GET", "/employees/E1/timesheet?from=0000-01-01&to=0000-01-02", nil),
                ("POST", "/announcements", #"{"title":"Cierre\u0000","body":"Hoy cerramos antes"}"#),
                ("PUT", "/employees/E1", #"{"name":"Luis\u0000","role":"cashier","stores":["S001"],"startDate":"2026-01-01"}"#),
                ("PUT", "/employees/E1", #"{"name":"Luis","role":"cashier","stores":["S001"],"startDate":"0000-01-01"}"#),
            ] {
                let response = try await service.request(method, path, body: body)
                #expect((400..<500).contains(response.status) && response.body.contains(#""error":{"code":"#), "\(method) \(path): \(response.status) \(response.body)")
            }
            #expect(try await service.request("GET", "/announcements").body == #"{"items":[],"next":null}"#, "no announcement stored cut short")
        }
    }
}
