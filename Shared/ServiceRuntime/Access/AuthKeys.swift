import Foundation
import JWTKit

/// The installation's signing key pair for access tokens (Ed25519), as base64url text: the public key is what the
/// services are configured with (`TRASTIENDA_AUTH_PUBLIC_KEY`), the private key what `trastienda token` signs with.
package enum AuthKeys {
    /// A new pair: (private, public).
    package static func generate() throws -> (privateKey: String, publicKey: String) {
        let key = try EdDSA.PrivateKey(curve: .ed25519)
        return (base64url(key.rawRepresentation), base64url(key.publicKey.rawRepresentation))
    }

    /// A signed token for `claims` with the private key `privateKey` (base64url).
    package static func token(_ claims: AccessClaims, privateKey: String) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(eddsa: try EdDSA.PrivateKey(d: privateKey, curve: .ed25519))
        return try await keys.sign(claims)
    }

    static func isPublicKey(_ text: String) -> Bool { (try? EdDSA.PublicKey(x: text, curve: .ed25519)) != nil }

    package static func base64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
