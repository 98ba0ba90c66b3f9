import AMQPClient
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// Posts envelopes to the agency over mutual TLS, with each issuer's certificate: one HTTP client per issuer,
/// made when first needed and kept.
actor AgencyClient {
    let settings: AgencySettings
    private var clients: [String: (IssuerCertificate, HTTPClient)] = [:]

    init(settings: AgencySettings) { self.settings = settings }

    struct Reply: Sendable {
        var status: Int
        var body: [UInt8]
    }

    /// Posts `envelope` for `issuer`; throws when the agency cannot be reached or does not answer in time.
    func post(_ envelope: String, issuer: String, certificate: IssuerCertificate) async throws -> Reply {
        guard let url = settings.url else { throw AgencyUnreachable(description: "no agency endpoint is configured") }
        let client = try client(for: issuer, certificate: certificate)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "text/xml; charset=utf-8")
        request.headers.add(name: "SOAPAction", value: "\"\"")
        request.body = .bytes(ByteBuffer(string: envelope))
        let timeout = TimeAmount.milliseconds(settings.timeout.wholeMilliseconds)
        let response = try await client.execute(request, timeout: timeout)
        let body = try await response.body.collect(upTo: 32 * 1024 * 1024)
        return Reply(status: Int(response.status.code), body: Array(buffer: body))
    }

    private func client(for issuer: String, certificate: IssuerCertificate) throws -> HTTPClient {
        if let (known, client) = clients[issuer], known == certificate { return client }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        switch certificate {
        case .pkcs12(let path):
            let bundle = try NIOSSLPKCS12Bundle(file: path, passphrase: Array(settings.certificatePassword.utf8))
            tls.certificateChain = bundle.certificateChain.map { .certificate($0) }
            tls.privateKey = .privateKey(bundle.privateKey)
        case .pem(let certificatePath, let key):
            tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certificatePath).map { .certificate($0) }
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
        }
        if let roots = settings.trustRoots { tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(roots)) }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.timeout = .init(connect: .seconds(10), read: .milliseconds(settings.timeout.wholeMilliseconds))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        if let (_, old) = clients[issuer] { Task { try? await old.shutdown() } }
        clients[issuer] = (certificate, client)
        return client
    }

    func shutdown() async {
        for (_, client) in clients.values { try? await client.shutdown() }
        clients = [:]
    }
}

struct AgencyUnreachable: Error, CustomStringConvertible {
    var description: String
}
