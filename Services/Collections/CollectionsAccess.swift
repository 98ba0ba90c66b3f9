import Hummingbird
import ServiceRuntime

/// Who may call collections' routes: receivables are the accountant's (and admin's), read by the auditor; the clock
/// (rehearsals only) is admin's.
enum CollectionsAccess {
    static let policy = AccessPolicy([
        Operation(.get, "/aging", AccessPolicy.readers),
        Operation(.get, "/clock", AccessPolicy.readers),
        Operation(.put, "/clock", [.admin]),
        Operation(.get, "/customers/{taxId}", AccessPolicy.readers),
        Operation(.put, "/customers/{taxId}", [.admin, .accountant]),
        Operation(.get, "/customers/{taxId}/notes", AccessPolicy.readers),
        Operation(.post, "/customers/{taxId}/notes", [.admin, .accountant]),
        Operation(.get, "/customers/{taxId}/statement", AccessPolicy.readers),
        Operation(.get, "/dunning", AccessPolicy.readers),
        Operation(.get, "/dunning-levels", AccessPolicy.readers),
        Operation(.put, "/dunning-levels", [.admin, .accountant]),
        Operation(.get, "/receivables", AccessPolicy.readers),
        Operation(.post, "/payments", [.admin, .accountant]),
        Operation(.post, "/receivables/{id}/write-off", [.admin, .accountant]),
    ])
}
