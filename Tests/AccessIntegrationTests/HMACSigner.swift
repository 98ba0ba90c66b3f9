import Crypto
import Foundation
import ServiceRuntime

/// HMAC-SHA256 of a JWT's signing input, as a forger would make one with the public key as the secret.
enum HMACSigner {
    static func sign(_ input: String, key: Data) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: SymmetricKey(data: key))
        return AuthKeys.base64url(Data(mac))
    }
}
