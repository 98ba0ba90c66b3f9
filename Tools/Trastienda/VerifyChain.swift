import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

struct VerifyChain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-chain", abstract: "Recompute an issuer's VERI*FACTU fingerprint chain and name the first broken record.")

    @Argument(help: "The issuer's tax id, for example 89890001K.") var taxId: String
    @Option(help: "Billing's HTTP address.") var billing = "http://localhost:8082"
    @Option(help: "An access token (default: TRASTIENDA_TOKEN).") var token: String?

    func run() async throws {
        let (status, data) = try await ServiceCall.get("\(billing)/issuers/\(taxId)/chain", token: token)
        guard status == 200,
            let result = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        else {
            throw ValidationError("billing answered: \(String(decoding: data, as: UTF8.self))")
        }
        let records = result["records"] as? Int ?? 0
        if let broken = result["firstBroken"] as? String {
            print("chain of \(taxId): BROKEN at \(broken) (\(records) records)")
            throw ExitCode(1)
        }
        print("chain of \(taxId): valid, \(records) records")
    }
}
