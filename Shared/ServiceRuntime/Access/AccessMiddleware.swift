import Foundation
import HTTPTypes
import Hummingbird
import JWTKit
import Logging
import Metrics
import PostgresClient

/// Every request but `/health/*` carries a bearer token (a JWT signed with the installation's Ed25519 key); the
/// route's operation says which roles may call it and where its store is. No token, or one that does not verify
/// (expired, signed by another key, `alg: none`, an HMAC made with the public key): 401. A role the operation does not
/// allow, or a store the token may not act for: 403. Each refusal is logged and counted
/// (`http_requests_refused_total{reason}`).
package struct AccessMiddleware<Context: RequestContext>: RouterMiddleware {
    let keys: JWTKeyCollection
    let policy: AccessPolicy
    let database: Database
    let logger: Logger

    package init(keys: JWTKeyCollection, policy: AccessPolicy, database: Database, logger: Logger) {
        self.keys = keys
        self.policy = policy
        self.database = database
        self.logger = logger
    }

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = context.endpointPath ?? request.uri.path
        if path.hasPrefix("/health/") { return try await next(request, context) }
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer "), header.count > 7 else {
            return refuse(.unauthorized, "unauthenticated", "a bearer token is required (Authorization: Bearer <token>)", request)
        }
        let claims: AccessClaims
        do {
            claims = try await keys.verify(String(header.dropFirst(7)), as: AccessClaims.self)
        } catch {
            return refuse(.unauthorized, "unauthenticated", "the token does not verify: \(Self.reason(error))", request)
        }
        // No route matched: the router answers 404 (to a caller whose token verified).
        guard context.endpointPath != nil else { return try await next(request, context) }
        guard let operation = policy.operation(method: request.method, path: path) else {
            return refuse(.forbidden, "forbidden", "\(request.method.rawValue) \(path) is not in this service's access policy", request, claims)
        }
        guard !operation.roles.isDisjoint(with: claims.roleSet) else {
            let allowed = operation.roles.map(\.rawValue).sorted().joined(separator: ", ")
            return refuse(.forbidden, "forbidden", "\(request.method.rawValue) \(path) is for \(allowed)", request, claims)
        }
        if claims.stores != nil {
            let store: String?
            switch operation.store {
            case .none, .handler: store = nil
            case .record(let parameter, let query):
                let stores: [String]
                do {
                    stores = try await database.query(query, [context.parameters.get(parameter) ?? ""]).map { try $0.decode(String.self, at: 0) }
                } catch {
                    return refuse(.forbidden, "forbidden", "the store of \(path) could not be checked", request, claims)
                }
                guard stores.isEmpty || stores.contains(where: claims.mayActFor(store:)) else {
                    return refuse(.forbidden, "forbidden", "this token does not act for the store of \(request.uri.path)", request, claims)
                }
                store = nil
            case .path(let name): store = context.parameters.get(name)
            case .series(let name): store = context.parameters.get(name).map(Self.store(ofSeries:))
            case .query(let name):
                guard let named = request.uri.queryParameters.get(name) else {
                    return refuse(.forbidden, "forbidden", "a token for some stores names one of them: ?\(name)=", request, claims)
                }
                store = named
            }
            if let store, !claims.mayActFor(store: store) {
                return refuse(.forbidden, "forbidden", "this token does not act for store \(store)", request, claims)
            }
        }
        let traceId = request.headers[HTTPField.Name("traceparent")!].flatMap { $0.split(separator: "-").dropFirst().first.map(String.init) }
        return try await Caller.$current.withValue(claims) {
            try await Caller.$traceId.withValue(traceId) { try await next(request, context) }
        }
    }

    /// The store of a series code `<store>-<year>` or `<store>-<year>-<generation>`.
    static func store(ofSeries series: String) -> String {
        var parts = series.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count >= 3, parts[parts.count - 2].count == 4, parts[parts.count - 2].allSatisfy(\.isNumber), parts.last!.allSatisfy(\.isNumber) {
            parts.removeLast(2)
        } else if parts.count >= 2, parts.last!.count == 4, parts.last!.allSatisfy(\.isNumber) {
            parts.removeLast()
        }
        return parts.joined(separator: "-")
    }

    private static func reason(_ error: any Error) -> String {
        if let jwt = error as? JWTError { return "\(jwt.errorType)" }
        return "malformed"
    }

    private func refuse(
        _ status: HTTPResponse.Status, _ code: String, _ message: String, _ request: Request, _ claims: AccessClaims? = nil
    ) -> Response {
        Counter(label: "http_requests_refused_total", dimensions: [("reason", status == .unauthorized ? "unauthenticated" : "forbidden")]).increment()
        logger.notice(
            "Request refused",
            metadata: [
                "http.method": "\(request.method.rawValue)", "http.path": "\(request.uri.path)", "http.status": "\(status.code)",
                "subject": "\(claims?.subject ?? "-")", "reason": "\(message)",
            ])
        return OperationsRoutes.errorResponse(status, message, code: code)
    }
}
