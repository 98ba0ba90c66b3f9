import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// HTTP requests to a service on this machine, in the test's process or as a process of its own.
package enum ServiceHTTP {
    /// `method` `path` on `port`, with an admin's token unless `token` is given (`""` for none) and `body` as JSON;
    /// returns the status, the body and its content type.
    package static func request(
        _ method: String, port: Int, _ path: String, body: String? = nil, token: String? = nil, timeout: Double = 60
    ) async throws -> (status: Int, body: String, contentType: String?) {
        var request = URLRequest(url: URL(string: "http://localhost:\(port)\(path)")!, timeoutInterval: timeout)
        request.httpMethod = method
        var bearer = token ?? ""
        if token == nil { bearer = try await TestTokens.admin() }
        if !bearer.isEmpty { request.setValue("Bearer \(bearer)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        return (http?.statusCode ?? 0, String(decoding: data, as: UTF8.self), http?.value(forHTTPHeaderField: "Content-Type"))
    }
}
