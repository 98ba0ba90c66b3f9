import Hummingbird
import PostgresClient

/// Why a service will not do what it was asked, in words the caller can act on: the request is invalid (400), what
/// it names does not exist (404), or the state forbids it (409). Domains throw it; routes turn it into a response
/// and consumers into a dead letter.
package struct Refusal: Error, Sendable, Equatable {
    package enum Kind: Sendable, Equatable { case invalid, notFound, conflict }

    package var kind: Kind
    package var message: String

    package init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    package var status: HTTPResponse.Status {
        switch kind {
        case .invalid: .badRequest
        case .notFound: .notFound
        case .conflict: .conflict
        }
    }
}

extension OperationsRoutes {
    /// Runs `body`, answering a ``Refusal`` with its status and message.
    package static func refusing(_ body: () async throws -> Response) async throws -> Response {
        do {
            return try await body()
        } catch let refusal as Refusal {
            return errorResponse(refusal.status, refusal.message)
        }
    }

    /// The single text value that `sql` selects (a JSON document built by PostgreSQL), as a 200 response.
    package static func queryJSON(_ database: Database, _ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> Response {
        jsonResponse(.ok, try await database.query(sql, parameters)[0].decode(String.self, at: 0))
    }

    /// Whether `text` is a calendar date written `yyyy-mm-dd` (as query parameters and bodies give dates).
    package static func isDate(_ text: String) -> Bool {
        // A date PostgreSQL takes as it is: digits only, a year from 1 (it has no year 0), a day its month has.
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.utf8.allSatisfy { (0x30...0x39).contains($0) } }),
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]), year >= 1, (1...12).contains(month)
        else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return (1...days).contains(day)
    }

    /// Whether `text` can be a tax id: 2–20 ASCII letters and digits.
    package static func isTaxId(_ text: String) -> Bool {
        (2...20).contains(text.count) && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }
}
