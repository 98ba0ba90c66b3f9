import ArgumentParser
import Foundation
import ServiceRuntime
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `trastienda auth keys`: the installation's signing key pair for access tokens.
struct Auth: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Access tokens' signing keys.", subcommands: [AuthKeysCommand.self])
}

struct AuthKeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Make an Ed25519 key pair in DIR (signing.key, private; public.key, for TRASTIENDA_AUTH_PUBLIC_KEY), unless one is there.")

    @Option(help: "Where the keys go (one folder per environment; never commit it).") var dir = ".local/auth"

    func run() async throws {
        let signing = URL(fileURLWithPath: dir).appendingPathComponent("signing.key")
        let publicKey = URL(fileURLWithPath: dir).appendingPathComponent("public.key")
        if !FileManager.default.fileExists(atPath: signing.path) {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let pair = try AuthKeys.generate()
            try Data((pair.privateKey + "\n").utf8).write(to: signing)
            chmod(signing.path, 0o600)
            try Data((pair.publicKey + "\n").utf8).write(to: publicKey)
        }
        print(try String(contentsOf: publicKey, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

/// `trastienda token`: a signed access token for a subject, its roles and its stores.
struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a signed access token (a JWT) for the services' HTTP APIs.")

    @Option(help: "Who the token is for (the audit trail names it).") var subject = "dev"
    @Option(help: "Roles, separated by commas: admin, accountant, store_manager, hr, auditor, metrics.") var roles = "admin"
    @Option(help: "The stores it may act for, separated by commas (every store when not given).") var stores: String?
    @Option(help: "Hours until it expires.") var hours = 12
    @Option(help: "The signing key (from `trastienda auth keys`).") var keyFile = ".local/auth/signing.key"

    func run() async throws {
        let parsed = try roles.split(separator: ",").map { name in
            guard let role = Role(rawValue: String(name)) else {
                throw ValidationError("unknown role \(name): one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return role
        }
        guard let key = try? String(contentsOfFile: keyFile, encoding: .utf8) else {
            throw ValidationError("no signing key at \(keyFile): make one with `trastienda auth keys`")
        }
        let claims = AccessClaims(
            subject: subject, roles: parsed, stores: stores.map { $0.split(separator: ",").map(String.init) },
            expires: Date().addingTimeInterval(Double(hours) * 3600))
        print(try await AuthKeys.token(claims, privateKey: key.trimmingCharacters(in: .whitespacesAndNewlines)))
    }
}

/// A GET to one of the services with the caller's token (`--token`, or `TRASTIENDA_TOKEN`).
enum ServiceCall {
    static func get(_ url: String, token: String?) async throws -> (Int, Data) {
        var request = URLRequest(url: URL(string: url)!)
        if let token = token ?? ProcessInfo.processInfo.environment["TRASTIENDA_TOKEN"] {
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }
}
