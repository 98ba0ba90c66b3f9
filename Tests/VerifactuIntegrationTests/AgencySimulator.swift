import Foundation
import Testing
import TrastiendaTesting
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The tax-agency simulator (`agency-sim`) as a process of the test's own, with test certificates made by
/// `scripts/agency-certs.sh` (openssl) for the issuers given, and its control port.
final class AgencySimulator: @unchecked Sendable {
    let port = TestInfrastructure.freePort()
    let controlPort = TestInfrastructure.freePort()
    let certificates: URL
    let process: ServiceProcess

    /// The agency's endpoint on this simulator.
    var url: String { "https://localhost:\(port)/wlpl/TIKE-CONT/ws/SistemaFacturacion/VerifactuSOAP" }
    /// The folder of the issuers' client certificates.
    var issuerCertificates: String { certificates.appendingPathComponent("issuers").path }
    var authority: String { certificates.appendingPathComponent("ca.crt").path }

    init(issuers: [String], waitSeconds: Int, unknownTaxIds: [String] = []) async throws {
        certificates = FileManager.default.temporaryDirectory.appendingPathComponent("agency-\(UUID().uuidString.prefix(8))")
        let script = TestInfrastructure.repositoryRoot.appendingPathComponent("scripts/agency-certs.sh")
        let maker = try ServiceProcess(executable: script, arguments: [certificates.path] + issuers)
        guard await maker.waitForExit(timeout: .seconds(60)), maker.exitCode == 0 else {
            throw InfrastructureUnavailable(description: "scripts/agency-certs.sh failed (is openssl installed? `make test` installs it): \(maker.output)")
        }
        let schemas = TestInfrastructure.repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/verifactu").path
        guard FileManager.default.fileExists(atPath: schemas + "/SuministroLR.xsd") else {
            throw InfrastructureUnavailable(description: "the tax agency's schemas are not at \(schemas) (shared/verifactu beside the checkout)")
        }
        process = try ServiceProcess(
            "agency-sim",
            arguments: [
                "--port", String(port), "--control-port", String(controlPort), "--certificate", certificates.appendingPathComponent("server.crt").path,
                "--key", certificates.appendingPathComponent("server.key").path, "--client-ca", certificates.appendingPathComponent("ca.crt").path,
                "--schemas", schemas, "--wait-seconds", String(waitSeconds),
            ] + unknownTaxIds.flatMap { ["--unknown-tax-id", $0] })
        let controlPort = controlPort
        guard await eventually(timeout: .seconds(30), { (try? await Self.control("GET", controlPort, "/ledger"))?.0 == 200 }) else {
            throw InfrastructureUnavailable(description: "agency-sim did not start: \(process.output)")
        }
    }

    /// The environment that points billing at this simulator.
    var billingEnvironment: [String: String] {
        [
            "TRASTIENDA_BILLING_AGENCY_URL": url, "TRASTIENDA_BILLING_AGENCY_CERTIFICATES": issuerCertificates,
            "TRASTIENDA_BILLING_AGENCY_CA": authority, "TRASTIENDA_BILLING_AGENCY_CERTIFICATE_PASSWORD": "trastienda",
        ]
    }

    func set(_ mode: String, delayMilliseconds: Int = 2_000) async throws {
        let (status, body) = try await Self.control("POST", controlPort, "/mode?set=\(mode)&delayMs=\(delayMilliseconds)")
        #expect(status == 200, "agency-sim mode \(mode): \(body)")
    }

    struct Ledger: Decodable {
        struct Booked: Decodable {
            var issuerTaxId: String
            var seriesNumber: String
            var operation: String
            var kind: String
            var state: String
            var late: Bool
            var correction: Bool
        }
        struct Envelope: Decodable {
            var issuerTaxId: String
            var records: Int
            var late: Bool
            var early: Bool
        }
        var booked: [Booked]
        var envelopes: [Envelope]
        var faults: [String: Int]
    }

    func ledger() async throws -> Ledger {
        let (_, body) = try await Self.control("GET", controlPort, "/ledger")
        return try JSONDecoder().decode(Ledger.self, from: Data(body.utf8))
    }

    func stop() {
        process.send(SIGTERM)
        try? FileManager.default.removeItem(at: certificates)
    }

    private static func control(_ method: String, _ port: Int, _ path: String) async throws -> (Int, String) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }
}
