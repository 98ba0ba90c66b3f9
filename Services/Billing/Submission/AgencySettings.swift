import Foundation
import ServiceRuntime

/// Where and how billing submits its records, from the environment. Submission is off until the endpoint is set.
///
/// - `TRASTIENDA_BILLING_AGENCY_URL`: the agency's submission endpoint (its test endpoint is
///   `https://prewww1.aeat.es/wlpl/TIKE-CONT/ws/SistemaFacturacion/VerifactuSOAP`).
/// - `TRASTIENDA_BILLING_AGENCY_CERTIFICATES`: a folder with each issuer's certificate, named by its NIF:
///   `<NIF>.p12` (PKCS#12, its password in `TRASTIENDA_BILLING_AGENCY_CERTIFICATE_PASSWORD`) or `<NIF>.crt` and
///   `<NIF>.key` (PEM). An issuer without one is not submitted (its records wait); the folder is read again every 10 s.
/// - `TRASTIENDA_BILLING_AGENCY_CA`: a PEM file of the roots to trust for the agency's server (the system's when unset).
/// - `TRASTIENDA_BILLING_AGENCY_TIMEOUT_SECONDS` (30): how long an envelope's answer may take.
/// - `TRASTIENDA_BILLING_AGENCY_RETRY_SECONDS` (60): the longest wait between tries while the agency cannot be reached.
struct AgencySettings: Sendable {
    var url: String?
    var certificates: String?
    var certificatePassword = ""
    var trustRoots: String?
    var timeout = Duration.seconds(30)
    var maximumRetry = Duration.seconds(60)

    /// A replica's lease of an issuer outlives one envelope's round trip.
    var lease: Duration { timeout + .seconds(5) }

    static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigurationError) -> AgencySettings {
        var settings = AgencySettings()
        if let url = environment["TRASTIENDA_BILLING_AGENCY_URL"], !url.isEmpty {
            guard url.hasPrefix("https://") else {
                throw ConfigurationError(variable: "TRASTIENDA_BILLING_AGENCY_URL", value: url, expected: "an https:// URL")
            }
            settings.url = url
        }
        settings.certificates = environment["TRASTIENDA_BILLING_AGENCY_CERTIFICATES"].flatMap { $0.isEmpty ? nil : $0 }
        settings.certificatePassword = environment["TRASTIENDA_BILLING_AGENCY_CERTIFICATE_PASSWORD"] ?? ""
        settings.trustRoots = environment["TRASTIENDA_BILLING_AGENCY_CA"].flatMap { $0.isEmpty ? nil : $0 }
        for (variable, keyPath) in [("TRASTIENDA_BILLING_AGENCY_TIMEOUT_SECONDS", \AgencySettings.timeout), ("TRASTIENDA_BILLING_AGENCY_RETRY_SECONDS", \.maximumRetry)] {
            guard let seconds = try ConfigurationError.integer(variable, in: environment, 1...3600, expected: "1–3600 seconds") else { continue }
            settings[keyPath: keyPath] = .seconds(seconds)
        }
        return settings
    }

    /// The issuers with a certificate in the folder, by NIF.
    func issuersWithCertificates() -> [String: IssuerCertificate] {
        guard let folder = certificates, let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [:] }
        var found: [String: IssuerCertificate] = [:]
        for name in names {
            let path = folder + "/" + name
            if name.hasSuffix(".p12") {
                let nif = String(name.dropLast(4))
                found[nif] = .pkcs12(path: path)
            } else if name.hasSuffix(".crt"), found[String(name.dropLast(4))] == nil {
                let nif = String(name.dropLast(4))
                let key = folder + "/" + nif + ".key"
                if FileManager.default.fileExists(atPath: key) { found[nif] = .pem(certificate: path, key: key) }
            }
        }
        return found.filter { SpanishTaxId.isValid($0.key) }
    }
}

/// An issuer's certificate for mutual TLS with the agency.
enum IssuerCertificate: Sendable, Equatable {
    case pkcs12(path: String)
    case pem(certificate: String, key: String)
}
