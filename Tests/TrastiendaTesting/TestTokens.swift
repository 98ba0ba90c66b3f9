import Foundation
import ServiceRuntime

/// The test run's own signing key (made afresh each run, never stored) and tokens signed with it: every service a
/// test starts is configured with its public key, and every request a test helper makes carries a token.
package enum TestTokens {
    private static let pair = try! AuthKeys.generate()

    /// What the services are configured with (`TRASTIENDA_AUTH_PUBLIC_KEY`).
    package static var publicKey: String { pair.publicKey }
    /// The private key, for tests that sign odd tokens themselves.
    package static var privateKey: String { pair.privateKey }

    /// A token for `roles` (and `stores`, every store when nil), valid for an hour unless `expires` says otherwise.
    package static func token(
        _ roles: [Role] = [.admin], stores: [String]? = nil, subject: String = "test", expires: Date = Date().addingTimeInterval(3600)
    ) async throws -> String {
        try await AuthKeys.token(AccessClaims(subject: subject, roles: roles, stores: stores, expires: expires), privateKey: privateKey)
    }

    /// An admin's token, as the tests' helpers send by default.
    package static func admin() async throws -> String { try await token([.admin], subject: "test-admin") }
}
