import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import ServiceRuntime

/// The console's pages: a Mustache template per page (`Templates/`), inside one layout with the navigation the
/// person's roles allow, in their language.
struct Views: Sendable {
    let library: MustacheLibrary

    static let templates = Bundle.module.resourceURL!.appendingPathComponent("Templates").path
    static let statics = Bundle.module.resourceURL!.appendingPathComponent("Static").path

    /// Reads every `Templates/<name>.mustache`.
    init() throws {
        var templates: [String: MustacheTemplate] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: Self.templates) where file.hasSuffix(".mustache") {
            let text = try String(contentsOfFile: Self.templates + "/" + file, encoding: .utf8)
            templates[String(file.dropLast(".mustache".count))] = try MustacheTemplate(string: text)
        }
        library = MustacheLibrary(templates: templates)
    }

    /// The sections of the navigation, and who sees each.
    static let sections: [(path: String, key: String, roles: Set<Role>)] = [
        ("/", "nav_today", AccessPolicy.everyone), ("/invoices", "nav_invoices", InvoicePages.readers),
        ("/stock", "nav_stock", StockPages.readers), ("/supply", "nav_supply", SupplyPages.readers), ("/orders", "nav_orders", OrderPages.readers),
        ("/tills", "nav_tills", TillPages.readers),
        ("/collections", "nav_collections", CollectionPages.readers), ("/staff", "nav_staff", StaffPages.readers),
        ("/operations", "nav_operations", OperationsPage.readers), ("/accounts", "nav_accounts", AccountPages.readers),
    ]

    func page(_ template: String, title: String, _ context: [String: Any] = [:], status: HTTPResponse.Status = .ok, section: String? = nil) -> Response {
        let language = Language.current
        var values = Self.pruned(context)
        values["t"] = language.texts
        values["csrf"] = Visitor.current?.csrf ?? ""
        let content = library.render(values, withTemplate: template) ?? "template \(template) is missing"
        return html(layout(content: content, title: title, section: section), status: status)
    }

    func layout(content: String, title: String, section: String?) -> String {
        let language = Language.current
        let visitor = Visitor.current
        let nav: [[String: Any]] = Self.sections.filter { Visitor.may($0.roles) }.map {
            ["path": $0.path, "label": language.texts[$0.key] ?? $0.key, "current": $0.path == section]
        }
        let values: [String: Any] = [
            "t": language.texts, "lang": language.rawValue, "title": title, "content": content, "nav": nav,
            "signedIn": visitor != nil, "name": visitor?.account.name ?? "", "csrf": visitor?.csrf ?? "",
            "stores": visitor?.account.stores?.joined(separator: ", ") ?? "", "hasStores": visitor?.account.stores != nil,
            "other": language == .es ? "en" : "es", "otherLabel": language == .es ? "English" : "Español",
        ]
        return library.render(values, withTemplate: "layout") ?? content
    }

    /// `values` without their empty texts, here and in the lists they hold: Mustache takes an empty text for
    /// something, and a section such as `{{#done}}` would show for nothing.
    static func pruned(_ values: [String: Any]) -> [String: Any] {
        var kept: [String: Any] = [:]
        for (key, value) in values {
            if let text = value as? String, text.isEmpty { continue }
            if let list = value as? [[String: Any]] { kept[key] = list.map(pruned) } else { kept[key] = value }
        }
        return kept
    }

    /// A refusal as a page: the status and the words of whoever refused (the service, or the console).
    func refusal(_ status: HTTPResponse.Status, _ message: String, language: Language = Language.current) -> Response {
        Language.$current.withValue(language) {
            page("refused", title: language.texts["refused"] ?? "", ["status": status.code, "message": message], status: status)
        }
    }

    func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store", HTTPField.Name("X-Frame-Options")!: "SAMEORIGIN",
                      HTTPField.Name("Content-Security-Policy")!: "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'self'"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
