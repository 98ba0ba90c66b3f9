import Foundation
import Hummingbird
import PostgresClient

/// Lists come in pages: `?limit=` (default 100, at most 1,000) and `?after=<cursor>`, answered as
/// `{"items": [...], "next": "<cursor>" | null}`. A cursor is the sort key of a page's last item (opaque to clients,
/// base64url of a JSON array of strings): the next page starts after it, so an item added meanwhile never shifts
/// what a client has not seen yet, and none is seen twice.
package struct PageRequest: Sendable {
    package static let defaultLimit = 100
    package static let maximumLimit = 1_000

    package var limit: Int
    /// The sort key to start after, as `keys` strings, or nil for the first page.
    package var after: [String]?

    /// Reads `limit` and `after` from the request; throws a 400 when they are not usable.
    package static func read(_ request: Request, keys: Int) throws(HTTPError) -> PageRequest {
        let parameters = request.uri.queryParameters
        var limit = defaultLimit
        if let text = parameters.get("limit") {
            guard let value = Int(text), (1...maximumLimit).contains(value) else { throw HTTPError(.badRequest, message: "limit is 1–\(maximumLimit)") }
            limit = value
        }
        guard let text = parameters.get("after") else { return PageRequest(limit: limit, after: nil) }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let key = try? JSONDecoder().decode([String].self, from: data), key.count == keys else {
            throw HTTPError(.badRequest, message: "after is a cursor from a previous page's next")
        }
        return PageRequest(limit: limit, after: key)
    }

    /// The cursor of a page whose last item has `key`.
    package static func cursor(_ key: [String]) -> String {
        AuthKeys.base64url((try? JSONEncoder().encode(key)) ?? Data())
    }

    /// The first key column's value to start after: the cursor's, or "" (before every text) on the first page.
    package var afterText: String { after?.first ?? "" }

    /// The page of rows fetched with `limit + 1`, each its item's JSON in column 0 and its sort key (as text) in the
    /// next `keys` columns.
    package func response(_ rows: QueryResult, keys: Int = 1) throws -> Response {
        response(try rows.map { row in (try row.decode(String.self, at: 0), try (1...keys).map { try row.decode(String.self, at: $0) }) })
    }

    /// The page: `rows` as fetched with `limit + 1` (each its JSON and its sort key); the extra one says there is more.
    package func response(_ rows: [(json: String, key: [String])]) -> Response {
        let page = rows.prefix(limit)
        let next = rows.count > limit ? page.last.map { "\"\(Self.cursor($0.key))\"" } ?? "null" : "null"
        return OperationsRoutes.jsonResponse(.ok, #"{"items":[\#(page.map(\.json).joined(separator: ","))],"next":\#(next)}"#)
    }
}
