import ArgumentParser
import Foundation
import Hummingbird
import HummingbirdTLS
import Logging
import NIOSSL
import ServiceLifecycle
import UnixSignals
import XMLTree

/// A stand-in for the tax agency's VERI*FACTU web service, for tests and the demo: HTTPS that asks for a client
/// certificate signed by the given CA, envelopes validated against the official schemas, every record's fingerprint
/// and chain link recomputed, the agency's business rules checked, and answers in the agency's format. A plain-HTTP
/// control port on loopback sets its mode (normal, slow, down, refuse) and shows what it booked.
@main
struct AgencySim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agency-sim", abstract: "A strict stand-in for the tax agency's VERI*FACTU submission service.")

    @Option(help: "The HTTPS port of the submission service.") var port = 8443
    @Option(help: "The plain-HTTP control port (loopback only).") var controlPort = 8444
    @Option(help: "The server's certificate (PEM).") var certificate: String
    @Option(help: "The server's private key (PEM).") var key: String
    @Option(help: "The CA whose client certificates are accepted (PEM).") var clientCA: String
    @Option(help: "The folder holding SuministroLR.xsd and what it imports.") var schemas: String
    @Option(help: "The TiempoEsperaEnvio the answers give, in seconds.") var waitSeconds = 60
    @Option(help: "A recipient NIF the census does not know (repeatable).") var unknownTaxId: [String] = []
    @Option(help: "A file to keep what it booked in between runs (in memory only when not given).") var state: String?

    func run() async throws {
        var logger = Logger(label: "agency-sim")
        logger.logLevel = .info
        let validator = try XMLSchemaValidator(path: schemas + "/SuministroLR.xsd")
        let ledger = AgencyLedger(rules: AgencyRules(unknownTaxIds: Set(unknownTaxId)), waitSeconds: waitSeconds, stateFile: state)
        var tls = TLSConfiguration.makeServerConfigurationWithMTLS(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)),
            trustRoots: .certificates(try NIOSSLCertificate.fromPEMFile(clientCA)))
        tls.minimumTLSVersion = .tlsv12
        let service = Application(
            router: AgencyRoutes.submission(ledger: ledger, validator: validator, logger: logger),
            server: try .tls(.http1(), tlsConfiguration: tls),
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "agency-sim"), logger: logger)
        let control = Application(
            router: AgencyRoutes.control(ledger: ledger),
            configuration: .init(address: .hostname("127.0.0.1", port: controlPort)), logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: [service, control], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
