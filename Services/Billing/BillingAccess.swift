import Hummingbird
import ServiceRuntime

/// Who may call billing's routes: the documents are read by everyone who deals with them (a store manager for its
/// stores), the fiscal settings and the acts that change what the agency holds are admin's and the accountant's.
enum BillingAccess {
    static let policy = AccessPolicy([
        Operation(.get, "/stats", AccessPolicy.readers),
        Operation(.put, "/issuers/{taxId}", [.admin, .accountant]),
        Operation(.get, "/issuers/{taxId}", AccessPolicy.readers),
        Operation(.get, "/issuers", AccessPolicy.readers),
        Operation(.get, "/issuers/{taxId}/chain", AccessPolicy.readers),
        Operation(.get, "/invoices", [.admin, .accountant, .auditor, .storeManager], store: .query("store")),
        Operation(.get, "/invoices/{series}/{number}", [.admin, .accountant, .auditor, .storeManager], store: .series("series")),
        Operation(.get, "/invoices/{series}/{number}/record.xml", [.admin, .accountant, .auditor, .storeManager], store: .series("series")),
        Operation(.get, "/invoices/{series}/{number}/qr.svg", [.admin, .accountant, .auditor, .storeManager], store: .series("series")),
        Operation(.get, "/invoices/{series}/{number}/qr.png", [.admin, .accountant, .auditor, .storeManager], store: .series("series")),
        Operation(.post, "/invoices/{series}/{number}/cancellation", [.admin, .accountant]),
        Operation(.get, "/invoices/{series}/{number}/cancellation.xml", [.admin, .accountant, .auditor, .storeManager], store: .series("series")),
        Operation(.post, "/invoices/{series}/{number}/substitution", [.admin, .accountant, .storeManager], store: .series("series")),
        Operation(.get, "/invoices/{series}/{number}/verifactu", [.admin, .accountant, .auditor, .storeManager], store: .series("series")),
        Operation(.post, "/invoices/{series}/{number}/correction", [.admin, .accountant]),
        Operation(.put, "/customers/{taxId}/equivalence-surcharge", [.admin, .accountant]),
        Operation(.get, "/series", AccessPolicy.readers),
        Operation(.get, "/verifactu", AccessPolicy.readers),
    ])
}
