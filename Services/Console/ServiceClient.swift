import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ServiceRuntime

/// The five services' HTTP APIs, called for the person signed in with a token minted for their roles and stores
/// (five minutes long): the services decide what they may see and do.
struct ServiceClient: Sendable {
    let settings: ConsoleSettings
    let http: HTTPClient

    /// What a service answered.
    struct Answer: @unchecked Sendable {
        var status: Int
        var body: String
        var contentType: String?

        var ok: Bool { (200..<300).contains(status) }
        var json: Any? { try? JSONSerialization.jsonObject(with: Data(body.utf8), options: [.fragmentsAllowed]) }
        var object: [String: Any] { json as? [String: Any] ?? [:] }
        /// A page's items (or a plain list).
        var items: [[String: Any]] { (object["items"] as? [[String: Any]]) ?? (json as? [[String: Any]]) ?? [] }
        var next: String? { object["next"] as? String }
        /// The service's own words when it refused.
        var message: String { ((object["error"] as? [String: Any])?["message"] as? String) ?? body }
    }

    func token(for account: Account) async throws -> String {
        try await AuthKeys.token(
            AccessClaims(subject: account.username, roles: account.roles, stores: account.stores, expires: Date().addingTimeInterval(300)),
            privateKey: settings.signingKey)
    }

    func call(
        _ service: String, _ method: String = "GET", _ path: String, body: String? = nil, contentType: String = "application/json",
        as account: Account? = Visitor.current?.account
    ) async throws -> Answer {
        guard let base = settings.services[service] else { return Answer(status: 500, body: "no service \(service)") }
        var request = HTTPClientRequest(url: base + path)
        request.method = HTTPMethod(rawValue: method)
        if let account { request.headers.add(name: "authorization", value: "Bearer \(try await token(for: account))") }
        if let body {
            request.headers.add(name: "content-type", value: contentType)
            request.body = .bytes(ByteBuffer(string: body))
        }
        do {
            let response = try await http.execute(request, timeout: .seconds(15))
            let bytes = try await response.body.collect(upTo: 16 << 20)
            return Answer(status: Int(response.status.code), body: String(buffer: bytes), contentType: response.headers.first(name: "content-type"))
        } catch {
            return Answer(status: 503, body: #"{"error":{"code":"unavailable","message":"\#(service) is not answering"}}"#)
        }
    }

    /// `text` as a JSON string literal.
    static func json(_ text: String) -> String { "\"\(OperationsRoutes.jsonEscaped(text))\"" }
}
