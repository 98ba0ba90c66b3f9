import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import PostgresClient
import ServiceRuntime

/// Who is signed in, for the request being answered: their account, their session's CSRF token and their language.
struct Visitor: Sendable {
    var account: Account
    var session: String
    var csrf: String
    var language: Language

    @TaskLocal static var current: Visitor?

    /// Whether the person signed in has one of `roles`.
    static func may(_ roles: Set<Role>) -> Bool { current.map { !roles.isDisjoint(with: $0.account.roles) } ?? false }
}

/// Sessions in an HttpOnly, SameSite=Strict cookie; every form carries the session's CSRF token; a session ends at
/// sign-out or after its hours. Everything but `/signin`, `/static/*` and `/health/*` needs one.
struct SessionMiddleware<Context: RequestContext>: RouterMiddleware {
    static var cookie: String { "trastienda_session" }
    let database: Database
    let views: Views

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        let language = Language.of(request)
        if path == "/signin" || path.hasPrefix("/static/") || path.hasPrefix("/health/") {
            return try await Language.$current.withValue(language) { try await next(request, context) }
        }
        guard let id = request.cookies[Self.cookie]?.value, let visitor = try await Self.visitor(id, language: language, database: database) else {
            if request.method == .get {
                return Response.redirect(to: "/signin?next=\(Area.encoded(request.uri.description))", type: .normal)
            }
            return views.refusal(.unauthorized, language.texts["signed_out"]!, language: language)
        }
        var form = Form(fields: [:])
        if request.method == .post {
            form = try await Form.read(request, context: context)
            guard let token = form["csrf"], constantTimeEqual(token, visitor.csrf) else {
                return views.refusal(.forbidden, language.texts["csrf_refused"]!, language: language)
            }
        }
        return try await Visitor.$current.withValue(visitor) {
            try await Form.$current.withValue(form) {
                try await Language.$current.withValue(language) {
                    do {
                        return try await next(request, context)
                    } catch let refused as ServiceRefused {
                        return views.refusal(refused.status, refused.answer.message, language: language)
                    }
                }
            }
        }
    }

    static func visitor(_ id: String, language: Language, database: Database) async throws -> Visitor? {
        guard id.count == 64, id.allSatisfy(\.isHexDigit) else { return nil }
        guard let row = try await database.query(
            "SELECT username, csrf FROM sessions WHERE id = $1 AND expires_at > now()", [id]).first,
            let account = try await Accounts.find(try row.decode(String.self, at: 0), database: database)
        else { return nil }
        return Visitor(account: account, session: id, csrf: try row.decode(String.self, at: 1), language: language)
    }

    /// A new session for `username`; returns its id (the cookie's value).
    static func open(for username: String, hours: Int, database: Database) async throws -> String {
        let id = randomHex(32)
        try await database.query("DELETE FROM sessions WHERE expires_at < now()")
        try await database.query(
            "INSERT INTO sessions (id, username, csrf, expires_at) VALUES ($1, $2, $3, now() + make_interval(hours => $4))",
            [id, username, randomHex(32), Int64(hours)])
        return id
    }

    static func close(_ id: String, database: Database) async throws {
        try await database.query("DELETE FROM sessions WHERE id = $1", [id])
    }

    static func randomHex(_ bytes: Int) -> String {
        SymmetricKey(size: SymmetricKeySize(bitCount: bytes * 8)).withUnsafeBytes { $0.map { String(format: "%02x", $0) }.joined() }
    }

    private func constantTimeEqual(_ left: String, _ right: String) -> Bool {
        let (a, b) = (Array(left.utf8), Array(right.utf8))
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// A submitted form's fields (URL-encoded), read once by the session middleware.
struct Form: Sendable {
    var fields: [String: String]
    /// A file field's content (a multipart upload), by field name.
    var files: [String: String] = [:]

    subscript(_ name: String) -> String? { fields[name] }

    @TaskLocal static var current = Form(fields: [:])

    static func read(_ request: Request, context: some RequestContext) async throws -> Form {
        let buffer = try await request.body.collect(upTo: 4 << 20)
        let text = String(buffer: buffer)
        let type = request.headers[.contentType] ?? ""
        if type.hasPrefix("multipart/form-data"), let boundary = type.components(separatedBy: "boundary=").last {
            return multipart(text, boundary: boundary.trimmingCharacters(in: CharacterSet(charactersIn: "\"")))
        }
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decode(String(parts[0]))
            fields[name] = parts.count > 1 ? decode(String(parts[1])) : ""
        }
        return Form(fields: fields)
    }

    private static func decode(_ text: String) -> String {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
    }

    /// The parts of a `multipart/form-data` body: small fields as text, files' contents as text.
    private static func multipart(_ text: String, boundary: String) -> Form {
        var form = Form(fields: [:])
        for part in text.components(separatedBy: "--\(boundary)") {
            guard let split = part.range(of: "\r\n\r\n") else { continue }
            let headers = part[..<split.lowerBound]
            var body = String(part[split.upperBound...])
            if body.hasSuffix("\r\n") { body.removeLast() }  // CR LF is one Character
            guard let nameRange = headers.range(of: "name=\"") else { continue }
            let name = String(headers[nameRange.upperBound...].prefix { $0 != "\"" })
            if headers.contains("filename=") { form.files[name] = body } else { form.fields[name] = body }
        }
        return form
    }
}
