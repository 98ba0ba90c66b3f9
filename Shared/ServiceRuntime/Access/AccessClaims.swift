import Foundation
import JWTKit

/// Who may do what: the roles of the back office.
package enum Role: String, Sendable, Codable, CaseIterable {
    /// Everything.
    case admin
    /// Billing and collections, all stores; no stock or staff changes.
    case accountant
    /// Its stores only: stock, orders, replenishments, its staff's timesheets, its announcements' receipts.
    case storeManager = "store_manager"
    /// Employees and announcements.
    case hr
    /// Reads everything, changes nothing.
    case auditor
    /// Reads `/metrics` (a Prometheus scraper).
    case metrics
}

/// A bearer token's claims: the subject, its roles, and the stores it may act for (every store when absent).
package struct AccessClaims: JWTPayload, Equatable {
    package var sub: SubjectClaim
    package var exp: ExpirationClaim
    package var iat: IssuedAtClaim?
    package var roles: [String]
    package var stores: [String]?

    package init(subject: String, roles: [Role], stores: [String]? = nil, expires: Date) {
        sub = SubjectClaim(value: subject)
        exp = ExpirationClaim(value: expires)
        iat = IssuedAtClaim(value: Date())
        self.roles = roles.map(\.rawValue)
        self.stores = stores
    }

    package func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }

    package var subject: String { sub.value }
    package var roleSet: Set<Role> { Set(roles.compactMap(Role.init(rawValue:))) }

    /// Whether the token may act for `store` (a token without stores acts for all).
    package func mayActFor(store: String) -> Bool { stores.map { $0.contains(store) } ?? true }
}

/// The caller of the request being handled, as its token says (set by ``AccessMiddleware``).
package enum Caller {
    @TaskLocal package static var current: AccessClaims?
    /// The request's trace id (from its `traceparent`), for the audit trail.
    @TaskLocal package static var traceId: String?

    /// The stores the caller may see, or nil for all: what lists filter by.
    package static var stores: [String]? { current?.stores }
}
