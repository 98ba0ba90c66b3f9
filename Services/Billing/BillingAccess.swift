import Hummingbird
import ServiceRuntime

/// Billing's operations, who may call them and what they take and answer: the documents are read by everyone who
/// deals with them (a store manager for its stores), the fiscal settings and the acts that change what the agency
/// holds are admin's and the accountant's.
enum BillingAccess {
    static let documentReaders: Set<Role> = [.admin, .accountant, .auditor, .storeManager]
    static let invoice = Operation.Store.series("series")
    static let number: [String: Schema] = ["number": .integer(minimum: 1)]

    static let policy = AccessPolicy(
        [
            Operation(.get, "/stats", AccessPolicy.readers, .init("what this replica has issued since it started", answer: .json(200, .reference("Statistics")))),
            Operation(.put, "/issuers/{taxId}", [.admin, .accountant], .init(
                "sets the legal entity that invoices for the given stores (a Spanish NIF)",
                path: ["taxId": .nif], body: .record(["legalName": .text(120), "address": .text(200), "stores": .array(.identifier)]),
                answer: .json(200, .reference("Issuer")))),
            Operation(.get, "/issuers/{taxId}", AccessPolicy.readers, .init("one issuer", answer: .json(200, .reference("Issuer")))),
            Operation(.get, "/issuers", AccessPolicy.readers, .init(
                "the issuers, by tax id", query: OperationDocumentation.Query.paging, answer: .json(200, .page(.reference("Issuer"))))),
            Operation(.get, "/issuers/{taxId}/chain", AccessPolicy.readers, .init(
                "checks the issuer's chain of billing records, fingerprint by fingerprint",
                answer: .json(200, .record([
                    "issuer": .string, "records": .integer, "valid": .boolean,
                    "firstBroken": .nullable(.described(.string, "the first record whose fingerprint or link does not check")),
                ])))),
            Operation(.get, "/invoices", documentReaders, store: .query("store"), .init(
                "a store's invoices and credit notes by issue date and number",
                query: [
                    .init("store", required: true, "the store"), .init("from", .date, "the first issue date (default: the first)"),
                    .init("to", .date, "the last issue date (default: the last)"),
                ] + OperationDocumentation.Query.paging,
                answer: .json(200, .page(.reference("Invoice"))))),
            Operation(.get, "/invoices/{series}/{number}", documentReaders, store: invoice, .init(
                "one invoice; `{number}.html` is the printable document (`?width=ticket`, the default, or `a4`)",
                query: [.init("width", .oneOf(["ticket", "a4"]), "for the printable document: a till's 80 mm ticket or an A4 page")],
                answer: .json(200, .reference("Invoice")))),
            Operation(.get, "/invoices/{series}/{number}/record.xml", documentReaders, store: invoice, .init(
                "the invoice's VERI*FACTU billing record (RegistroAlta)", path: number, answer: .media(200, "application/xml"))),
            Operation(.get, "/invoices/{series}/{number}/qr.svg", documentReaders, store: invoice, .init(
                "the ticket's QR code (the agency's validation URL) as SVG", path: number, answer: .media(200, "image/svg+xml"))),
            Operation(.get, "/invoices/{series}/{number}/qr.png", documentReaders, store: invoice, .init(
                "the ticket's QR code as PNG", path: number, answer: .media(200, "image/png"))),
            Operation(.post, "/invoices/{series}/{number}/cancellation", [.admin, .accountant], .init(
                "cancels an invoice: an annulment record (RegistroAnulacion) is chained and sent to the agency",
                path: number, body: .record(["reason": .text(500)]), answer: .json(201, .reference("Cancellation")))),
            Operation(.get, "/invoices/{series}/{number}/cancellation.xml", documentReaders, store: invoice, .init(
                "the annulment record of a cancelled invoice", path: number, answer: .media(200, "application/xml"))),
            Operation(.post, "/invoices/{series}/{number}/substitution", [.admin, .accountant, .storeManager], store: invoice, .init(
                "issues a full invoice (F3) in place of a simplified one, for the customer now named",
                path: number, body: .record(["customer": .reference("Party")]), answer: .json(201, .reference("Invoice")))),
            Operation(.get, "/invoices/{series}/{number}/verifactu", documentReaders, store: invoice, .init(
                "the invoice's records and where each stands with the agency", path: number,
                answer: .json(200, .array(.reference("RecordState"))))),
            Operation(.post, "/invoices/{series}/{number}/correction", [.admin, .accountant], .init(
                "sends a refused record again, corrected (Subsanacion), with the recipient given if that was what was wrong",
                path: number, body: .record(["recipient": .optional(.reference("Party"))]),
                answer: .json(201, .record(["series": .string, "number": .integer, "chainPosition": .integer, "fingerprint": .string])))),
            Operation(.put, "/customers/{taxId}/equivalence-surcharge", [.admin, .accountant], .init(
                "whether the customer (a retailer) pays the equivalence surcharge",
                body: .record(["applies": .boolean]), answer: .json(200, .record(["taxId": .string, "applies": .boolean])))),
            Operation(.get, "/series", AccessPolicy.readers.union([.storeManager]), .init(
                "the invoice series with their next numbers (a store manager's stores only)", query: OperationDocumentation.Query.paging,
                answer: .json(200, .page(.record([
                    "series": .string, "issuer": .string, "store": .string, "year": .integer, "creditNotes": .boolean, "nextNumber": .integer,
                ]))))),
            Operation(.get, "/verifactu", AccessPolicy.readers, .init(
                "where submission to the tax agency stands, issuer by issuer", answer: .json(200, .reference("VerifactuOverview")))),
        ],
        schemas: [
            "Statistics": .object([
                "issued": .integer, "creditNotes": .integer, "announcedAgain": .integer, "retried": .integer, "batches": .integer,
                "firstDeliveryAtMilliseconds": .integer, "lastCommitAtMilliseconds": .integer,
            ], required: ["issued", "creditNotes", "announcedAgain", "retried", "batches"]),
            "Issuer": .record(["taxId": .string, "legalName": .string, "address": .string, "stores": .array(.string)]),
            "Party": .object(["taxId": .string, "name": .string, "address": .string], required: []),
            "Invoice": .object([
                "kind": .described(.string, "invoice, credit_note or substitute"), "number": .string, "series": .string, "sequence": .integer,
                "issueDate": .date, "saleId": .string, "storeId": .string, "terminalId": .string,
                "issuer": .reference("Party"), "customer": .reference("Party"),
                "lines": .array(.object([
                    "sku": .string, "description": .string, "quantity": .integer, "unitPriceCents": .cents, "taxRate": .integer,
                    "discountCents": .cents, "grossCents": .cents,
                ], required: ["sku", "quantity", "unitPriceCents", "taxRate", "grossCents"])),
                "taxes": .array(.object([
                    "rate": .integer, "baseCents": .cents, "taxCents": .cents, "surchargeBasisPoints": .integer, "surchargeCents": .cents,
                ], required: ["rate", "baseCents", "taxCents"])),
                "totalBaseCents": .cents, "totalTaxCents": .cents, "totalSurchargeCents": .cents, "totalCents": .cents,
                "corrects": .described(.string, "the invoice a credit note corrects"), "substitutes": .described(.string, "the ticket an F3 replaces"),
                "fingerprint": .string, "previousFingerprint": .string, "generatedAt": .string, "qrURL": .string,
                "payments": .array(.record(["method": .string, "amountCents": .cents])),
            ], required: [
                "kind", "number", "series", "sequence", "issueDate", "storeId", "issuer", "lines", "taxes", "totalBaseCents", "totalTaxCents",
                "totalCents", "fingerprint", "qrURL",
            ]),
            "Cancellation": .object([
                "number": .string, "series": .string, "sequence": .integer, "kind": .string, "issuerTaxId": .string, "storeId": .string,
                "terminalId": .string, "reason": .string, "fingerprint": .string, "previousFingerprint": .string, "generatedAt": .string,
            ], required: ["number", "series", "sequence", "issuerTaxId", "reason", "fingerprint"]),
            "RecordState": .object([
                "chainPosition": .integer, "operation": .oneOf(["alta", "correction", "annulment"]),
                "state": .described(.string, "pending, accepted, accepted_with_errors or rejected"), "csv": .string,
                "errorCode": .integer, "errorDescription": .string, "late": .boolean,
            ], required: ["chainPosition", "operation", "state", "late"]),
            "VerifactuOverview": .object([
                "submission": .string, "endpoint": .string,
                "issuers": .array(.object([
                    "taxId": .string, "legalName": .string, "certificate": .boolean, "records": .integer, "pending": .integer,
                    "oldestPendingSeconds": .integer, "accepted": .integer, "acceptedWithErrors": .integer, "rejected": .integer,
                    "late": .integer, "lastCSV": .string, "lastError": .string, "failures": .integer,
                ], required: ["taxId", "records", "pending", "accepted", "rejected"])),
            ], required: ["submission", "issuers"]),
        ])
}
