import ArgumentParser
import Contracts
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `trastienda verifactu status`: how submission to the tax agency stands, per issuer, from billing's `GET /verifactu`.
struct Verifactu: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verifactu", abstract: "VERI*FACTU submission to the tax agency.", subcommands: [VerifactuStatus.self])
}

struct VerifactuStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Per issuer: records pending and the oldest one's age, accepted, rejected, late, the last CSV and error. Exits 1 when a record is rejected.")

    @Option(help: "Billing's HTTP address.") var billing = "http://localhost:8082"
    @Option(help: "An access token (default: TRASTIENDA_TOKEN).") var token: String?

    func run() async throws {
        let (status, data) = try await ServiceCall.get("\(billing)/verifactu", token: token)
        guard status == 200, let overview = try? JSONDecoder().decode(VerifactuOverview.self, from: data) else {
            throw ValidationError("billing answered: \(String(decoding: data, as: UTF8.self))")
        }
        print("submission \(overview.submission)\(overview.endpoint.map { " to \($0)" } ?? " (TRASTIENDA_BILLING_AGENCY_URL is not set)")")
        let header = ["issuer", "records", "pending", "oldest", "accepted", "with errors", "rejected", "late", "last CSV"]
        var rows = [header]
        for issuer in overview.issuers {
            rows.append([
                issuer.taxId + (issuer.certificate ? "" : " (no certificate)"), "\(issuer.records)", "\(issuer.pending)",
                issuer.oldestPendingSeconds.map { "\($0) s" } ?? "-", "\(issuer.accepted)", "\(issuer.acceptedWithErrors)", "\(issuer.rejected)",
                "\(issuer.late)", issuer.lastCSV ?? "-",
            ])
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            print(row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  "))
        }
        for issuer in overview.issuers {
            if let error = issuer.lastError { print("\(issuer.taxId): last error: \(error)") }
        }
        if overview.issuers.contains(where: { $0.rejected > 0 }) {
            print("rejected records: see GET /invoices/{series}/{number}/verifactu, correct with POST /invoices/{series}/{number}/correction")
            throw ExitCode(1)
        }
    }
}
