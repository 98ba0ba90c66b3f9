import AMQPClient
import AsyncHTTPClient
import BrokerAdmin
import Foundation
import Hummingbird
import Logging
import PostgresClient
import ServiceRuntime

/// The console's routes: sign-in, then a page per area of the back office. Each page calls the services as the
/// person signed in and shows what they answered; a refusal is the service's own, shown as a page.
struct Pages: Sendable {
    let settings: ConsoleSettings
    let database: Database
    let logger: Logger
    let services: ServiceClient
    let broker: BrokerOperations

    init(settings: ConsoleSettings, database: Database, amqp: AMQPConfiguration, logger: Logger) {
        self.settings = settings
        self.database = database
        self.logger = logger
        services = ServiceClient(settings: settings, http: HTTPClient.shared)
        broker = BrokerOperations(
            api: ManagementAPI(base: settings.broker.url, vhost: settings.broker.vhost, user: settings.broker.user, password: settings.broker.password),
            amqp: amqp.named("console-replay"), logger: logger)
        Display.timeZone = settings.timeZone
    }

    func add(to router: Router<BasicRequestContext>) {
        let views: Views
        do {
            views = try Views()
        } catch {
            logger.critical("The console's templates cannot be read", metadata: ["error": "\(error)"])
            return
        }
        let database = database, settings = settings
        router.add(middleware: SessionMiddleware(database: database, views: views))
        router.get("/static/:file") { _, context in
            let file = try context.parameters.require("file")
            guard OperationsRoutes.isIdentifier(file.replacingOccurrences(of: ".", with: "_")),
                let text = try? String(contentsOfFile: Views.statics + "/" + file, encoding: .utf8)
            else { return Response(status: .notFound) }
            let type = file.hasSuffix(".css") ? "text/css; charset=utf-8" : "application/javascript; charset=utf-8"
            return Response(status: .ok, headers: [.contentType: type, .cacheControl: "max-age=3600"], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("/signin") { request, _ in
            Self.signInPage(views, next: request.uri.queryParameters.get("next"), message: nil)
        }
        router.post("/signin") { request, context in
            let form = try await Form.read(request, context: context)
            let language = Language.current
            try await Accounts.ensureFirstAdmin(password: settings.firstAdminPassword, database: database)
            let next = Self.safeNext(form["next"])
            switch try await Accounts.signIn(username: form["username"] ?? "", password: form["password"] ?? "", database: database) {
            case .wrong: return Self.signInPage(views, next: next, message: language.texts["signin_wrong"], status: .unauthorized)
            case .locked: return Self.signInPage(views, next: next, message: language.texts["signin_locked"], status: .unauthorized)
            case .signedIn(let account):
                let id = try await SessionMiddleware<BasicRequestContext>.open(for: account.username, hours: settings.sessionHours, database: database)
                var response = Response.redirect(to: next, type: .found)
                response.setCookie(.init(
                    name: SessionMiddleware<BasicRequestContext>.cookie, value: id, maxAge: settings.sessionHours * 3600, path: "/", httpOnly: true,
                    sameSite: .strict))
                return response
            }
        }
        router.post("/signout") { _, _ in
            if let visitor = Visitor.current { try await SessionMiddleware<BasicRequestContext>.close(visitor.session, database: database) }
            var response = Response.redirect(to: "/signin", type: .found)
            response.setCookie(.init(name: SessionMiddleware<BasicRequestContext>.cookie, value: "", maxAge: 0, path: "/", httpOnly: true, sameSite: .strict))
            return response
        }
        router.get("/language/:code") { request, context in
            let code = Language(rawValue: try context.parameters.require("code")) ?? .es
            var response = Response.redirect(to: Self.safeNext(request.uri.queryParameters.get("next")), type: .found)
            response.setCookie(.init(name: "lang", value: code.rawValue, maxAge: 365 * 86_400, path: "/", sameSite: .lax))
            return response
        }
        let area = Area(views: views, services: services, broker: broker, database: database)
        TodayPage.add(to: router, area)
        InvoicePages.add(to: router, area)
        StockPages.add(to: router, area)
        OrderPages.add(to: router, area)
        SupplyPages.add(to: router, area)
        TillPages.add(to: router, area)
        CollectionPages.add(to: router, area)
        StaffPages.add(to: router, area)
        OperationsPage.add(to: router, area)
        AccountPages.add(to: router, area)
    }

    static func signInPage(_ views: Views, next: String?, message: String?, status: HTTPResponse.Status = .ok) -> Response {
        views.page("signin", title: Language.current.texts["signin"] ?? "", ["next": safeNext(next), "message": message ?? "", "failed": message != nil], status: status)
    }

    /// Only a path of this site is followed after sign-in.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\") else { return "/" }
        return next
    }
}

/// What every area's pages work with.
struct Area: Sendable {
    let views: Views
    let services: ServiceClient
    let broker: BrokerOperations
    let database: Database

    var texts: [String: String] { Language.current.texts }

    /// What the service answered when it did what was asked; otherwise its refusal, thrown, which the session
    /// middleware shows as a page with the service's status and words.
    func succeeded(
        _ service: String, _ method: String = "GET", _ path: String, body: String? = nil, contentType: String = "application/json"
    ) async throws -> ServiceClient.Answer {
        let answer = try await services.call(service, method, path, body: body, contentType: contentType)
        guard answer.ok else { throw ServiceRefused(answer: answer) }
        return answer
    }

    /// A page only some roles may see: others get a 403 page from the console (the services refuse them too).
    func allowed(_ roles: Set<Role>) -> Response? {
        Visitor.may(roles) ? nil : views.refusal(.forbidden, texts["not_for_you"] ?? "")
    }

    /// Back to `path` after a form, with what was done said on the page.
    func done(_ path: String, _ message: String) -> Response {
        Response.redirect(to: path + (path.contains("?") ? "&" : "?") + "done=" + Area.encoded(message), type: .found)
    }

    static func query(_ request: Request, _ name: String) -> String? {
        request.uri.queryParameters.get(name).flatMap { $0.isEmpty ? nil : String($0) }
    }

    static func encoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ""
    }
}

/// A service's refusal, on its way to be shown as a page (see ``Area/succeeded(_:_:_:body:contentType:)``).
struct ServiceRefused: Error {
    var answer: ServiceClient.Answer

    var status: HTTPResponse.Status { HTTPResponse.Status(code: answer.status == 0 ? 502 : answer.status, reasonPhrase: "") }
}
