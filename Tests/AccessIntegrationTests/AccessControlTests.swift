import Foundation
import Hummingbird
import ServiceRuntime
import Testing
import TrastiendaTesting

@testable import billing
@testable import collections
@testable import hr
@testable import orders
@testable import sales_intake

/// Every service's routes behind its access policy, as callers with each role, with no token and with bad ones.
@Suite("Access control", .serialized)
struct AccessControlTests {
    static let services: [(ServiceDefinition, AccessPolicy)] = [
        (SalesIntake.definition, SalesAccess.policy), (Billing.definition, BillingAccess.policy), (Orders.definition, OrdersAccess.policy),
        (Collections.definition, CollectionsAccess.policy), (HR.definition, HRAccess.policy),
    ]

    /// A path of `operation` with its parameters filled in (a store manager's store where a store is named).
    static func path(_ operation: ServiceRuntime.Operation) -> String {
        var path = operation.path
        for (name, value) in [
            ("store", "S001"), ("sku", "SKU-1"), ("series", "S001-2026"), ("number", "1"), ("taxId", "B12345674"), ("id", "X1"),
            ("saleId", "9e46de8a-a024-40ae-af3b-52214ac23845"),
        ] {
            path = path.replacingOccurrences(of: "{\(name)}", with: value)
        }
        if case .query(let name) = operation.store { path += "?\(name)=S001" }
        return path
    }

    @Test("each operation of each service, called with each role: allowed roles get through, the others get 403, no token 401")
    func everyRoleOnEveryOperation() async throws {
        for (definition, policy) in Self.services {
            try await RunningService.with(definition) { service in
                for operation in policy.operations where !operation.roles.isEmpty {
                    let path = Self.path(operation)
                    let method = operation.method.rawValue
                    let anonymous = try await service.request(method, path, token: "")
                    #expect(anonymous.status == 401 && anonymous.body.contains(#""code":"unauthenticated""#), "\(method) \(path) without a token")
                    for role in Role.allCases {
                        let token = try await TestTokens.token([role], stores: role == .storeManager ? ["S001"] : nil, subject: "role-\(role.rawValue)")
                        let status = try await service.request(method, path, token: token).status
                        if operation.roles.contains(role) {
                            #expect(status != 401 && status != 403, "\(definition.name): \(method) \(path) as \(role.rawValue) is allowed, got \(status)")
                        } else {
                            #expect(status == 403, "\(definition.name): \(method) \(path) as \(role.rawValue) is not allowed, got \(status)")
                        }
                    }
                }
                #expect(try await service.request("GET", "/health/ready", token: "").status == 200, "health needs no token")
            }
        }
    }

    @Test("expired, signed by another key, alg none, HS256 with the public key, malformed: 401")
    func badTokens() async throws {
        try await RunningService.with(Billing.definition) { service in
            let expired = try await TestTokens.token([.admin], expires: Date().addingTimeInterval(-60))
            let other = try AuthKeys.generate()
            let foreign = try await AuthKeys.token(
                AccessClaims(subject: "mallory", roles: [.admin], expires: Date().addingTimeInterval(3600)), privateKey: other.privateKey)
            let payload = Self.base64url(Data(#"{"sub":"mallory","roles":["admin"],"exp":\#(Int(Date().timeIntervalSince1970) + 3600)}"#.utf8))
            let none = Self.base64url(Data(#"{"alg":"none","typ":"JWT"}"#.utf8)) + "." + payload + "."
            let hsHeader = Self.base64url(Data(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
            let hmac = HMACSigner.sign("\(hsHeader).\(payload)", key: Data(TestTokens.publicKey.utf8))
            let withPublicKey = "\(hsHeader).\(payload).\(hmac)"
            for (what, token) in [("expired", expired), ("another key's", foreign), ("alg none", none), ("HS256 with the public key", withPublicKey),
                                  ("malformed", "not.a.token")] {
                let response = try await service.request("GET", "/series", token: token)
                #expect(response.status == 401, "\(what): \(response.status) \(response.body)")
            }
            #expect(try await service.request("GET", "/series").status == 200, "a good token gets through")
            #expect(try await service.request("GET", "/no/such/route").status == 404)
            let metrics = try await service.request("GET", "/metrics")
            #expect(metrics.body.contains(#"http_requests_refused_total{reason="unauthenticated"}"#), "refusals are counted")
        }
    }

    @Test("a store manager of S001 is refused S002's stock, orders and timesheets, by id as well as listed")
    func storeScope() async throws {
        let manager = try await TestTokens.token([.storeManager], stores: ["S001"], subject: "ana")
        try await RunningService.with(Orders.definition) { service in
            let order = { (id: String, store: String) in
                #"{"orderId":"\#(id)","storeId":"\#(store)","customer":{"name":"Cliente","phone":"600000000"},"lines":[{"sku":"SKU-1","quantity":1}]}"#
            }
            #expect(try await service.request("POST", "/orders", body: order("O-S002", "S002")).status < 300, "admin registers an order in S002")
            for (method, path) in [
                ("GET", "/stock/S002/SKU-1"), ("GET", "/stock?store=S002"), ("GET", "/stock"), ("GET", "/stock/S002/SKU-1/movements"),
                ("GET", "/orders?store=S002"), ("GET", "/orders"), ("GET", "/orders/O-S002"), ("POST", "/orders/O-S002/transitions"),
                ("GET", "/replenishments?store=S002"), ("GET", "/reorder-rules?store=S002"), ("PUT", "/reorder-rules/S002/SKU-1"),
            ] {
                let response = try await service.request(method, path, body: method == "GET" ? nil : "{}", token: manager)
                #expect(response.status == 403 && response.body.contains(#""code":"forbidden""#), "\(method) \(path): \(response.status)")
            }
            let own = try await service.request("POST", "/orders", body: order("O-S001", "S001"), token: manager)
            #expect(own.status < 300, "\(own.body)")
            #expect(try await service.request("POST", "/orders", body: order("O-S002-B", "S002"), token: manager).status == 403)
            let list = try await service.request("GET", "/orders?store=S001", token: manager)
            #expect(list.status == 200 && list.body.contains("O-S001") && !list.body.contains("O-S002"), "\(list.body)")
            #expect(try await service.request("GET", "/orders/O-S001", token: manager).status == 200)
        }
        try await RunningService.with(HR.definition) { service in
            let employee = { (store: String) in #"{"name":"Luis","role":"cashier","stores":["\#(store)"],"startDate":"2026-01-01"}"# }
            #expect(try await service.request("PUT", "/employees/E2", body: employee("S002")).status < 300)
            #expect(try await service.request("PUT", "/employees/E1", body: employee("S001")).status < 300)
            for path in ["/employees/E2", "/employees/E2/timesheet?from=2026-11-01&to=2026-11-30", "/employees/E2/sales", "/employees?store=S002"] {
                #expect(try await service.request("GET", path, token: manager).status == 403, "\(path)")
            }
            #expect(try await service.request("GET", "/employees/E1/timesheet?from=2026-11-01&to=2026-11-30", token: manager).status == 200)
            let list = try await service.request("GET", "/employees?store=S001", token: manager)
            #expect(list.status == 200 && list.body.contains("E1") && !list.body.contains("E2"), "\(list.body)")
        }
    }

    static func base64url(_ data: Data) -> String { AuthKeys.base64url(data) }
}
