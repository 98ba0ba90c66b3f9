import Foundation
import Hummingbird
import ServiceRuntime

/// Accounts (admin): who may sign in, with which roles and stores; a new password sets it.
enum AccountPages {
    static let readers: Set<Role> = [.admin]

    static func add(to router: Router<BasicRequestContext>, _ area: Area) {
        router.get("/accounts") { request, _ in
            if let refusal = area.allowed(readers) { return refusal }
            let accounts = try await Accounts.all(database: area.database)
            return area.views.page(
                "accounts", title: area.texts["nav_accounts"] ?? "",
                [
                    "accounts": accounts.map {
                        ["username": $0.username, "name": $0.name, "roles": $0.roles.map { area.texts["role_\($0.rawValue)"] ?? $0.rawValue }.joined(separator: ", "),
                         "stores": $0.stores?.joined(separator: ", ") ?? (area.texts["all_stores"] ?? ""),
                         "delete": "/accounts/\(Area.encoded($0.username))/delete", "self": $0.username == Visitor.current?.account.username]
                    },
                    "roles": Role.allCases.filter { $0 != .metrics }.map { ["value": $0.rawValue, "label": area.texts["role_\($0.rawValue)"] ?? $0.rawValue] },
                    "done": Area.query(request, "done") ?? "",
                ], section: "/accounts")
        }
        router.post("/accounts") { _, _ in
            if let refusal = area.allowed(readers) { return refusal }
            let form = Form.current
            let username = (form["username"] ?? "").lowercased()
            guard username.range(of: "^[a-z0-9._-]{1,40}$", options: .regularExpression) != nil else {
                return area.views.refusal(.badRequest, area.texts["username_format"] ?? "")
            }
            let roles = Role.allCases.filter { form["role_\($0.rawValue)"] == "on" }
            guard !roles.isEmpty else { return area.views.refusal(.badRequest, area.texts["roles_needed"] ?? "") }
            let stores = (form["stores"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard stores.allSatisfy(OperationsRoutes.isIdentifier) else { return area.views.refusal(.badRequest, area.texts["stores_format"] ?? "") }
            let password = form["password"] ?? ""
            let existing = try await Accounts.find(username, database: area.database)
            guard password.count >= 10 || (existing != nil && password.isEmpty) else {
                return area.views.refusal(.badRequest, area.texts["password_length"] ?? "")
            }
            let name = (form["name"] ?? "").trimmingCharacters(in: .whitespaces)
            try await Accounts.save(
                Account(username: username, name: name.isEmpty ? username : name, roles: roles, stores: stores.isEmpty ? nil : stores),
                password: password.isEmpty ? nil : password, database: area.database)
            return area.done("/accounts", "\(area.texts["account_saved"] ?? "") \(username)")
        }
        router.post("/accounts/:username/delete") { _, context in
            if let refusal = area.allowed(readers) { return refusal }
            let username = try context.parameters.require("username")
            guard username != Visitor.current?.account.username else { return area.views.refusal(.conflict, area.texts["not_yourself"] ?? "") }
            try await Accounts.delete(username, database: area.database)
            return area.done("/accounts", "\(area.texts["account_deleted"] ?? "") \(username)")
        }
    }
}
