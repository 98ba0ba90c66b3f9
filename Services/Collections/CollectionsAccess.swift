import Hummingbird
import ServiceRuntime

/// Collections' operations, who may call them and what they take and answer: receivables are the accountant's (and
/// admin's), read by the auditor; the clock (rehearsals only) is admin's.
enum CollectionsAccess {
    static let paging = OperationDocumentation.Query.paging
    /// Tills are read by their store's manager too.
    static let tillReaders: Set<Role> = [.admin, .storeManager, .accountant, .auditor]
    static let tillSession = Operation.Store.record(parameter: "id", query: "SELECT store_id FROM till_sessions WHERE id::text = $1")
    static let method = Schema.record(["method": .oneOf(ZReport.countedMethods), "expectedCents": .cents, "countedCents": .cents, "differenceCents": .cents])
    static let tax = Schema.record(["rate": .integer, "baseCents": .cents, "taxCents": .cents, "surchargeCents": .cents])
    static let count = Schema.record(["count": .integer, "totalCents": .cents])

    static let policy = AccessPolicy(
        [
            BatchActivity.statsOperation(
                as: "documentsRead", "the documents this replica has read from billing's messages since it started (each booked where it had to be)"),
            Operation(.get, "/aging", AccessPolicy.readers, .init(
                "what is owed, by how overdue, per customer or per store", query: [.init("by", .oneOf(["customer", "store"]), "the default is customer")] + paging,
                answer: .json(200, .page(.record([
                    "key": .described(.string, "the customer's tax id or the store"), "notYetDue": .cents, "days1to30": .cents,
                    "days31to60": .cents, "days61to90": .cents, "over90": .cents, "total": .cents,
                ]))))),
            Operation(.get, "/clock", AccessPolicy.readers, .init(
                "collections' today, and whether it can be moved", answer: .json(200, .record(["today": .date, "settable": .boolean])))),
            Operation(.put, "/clock", [.admin], .init(
                "moves collections' today (rehearsals only: 409 unless TRASTIENDA_COLLECTIONS_SETTABLE_CLOCK=1)",
                body: .record(["today": .nullable(.date)]), answer: .json(200, .record(["today": .date, "settable": .boolean])))),
            Operation(.get, "/customers/{taxId}", AccessPolicy.readers, .init("a customer and its terms", answer: .json(200, .reference("Customer")))),
            Operation(.put, "/customers/{taxId}", [.admin, .accountant], .init(
                "sets a customer's payment terms (and name)",
                body: .object(["name": .string, "paymentTermsDays": .integer(minimum: 0, maximum: 365)], required: ["paymentTermsDays"]),
                answer: .json(200, .reference("Customer")))),
            Operation(.get, "/customers/{taxId}/notes", AccessPolicy.readers, .init(
                "customer care's notes on a customer, oldest first", query: paging, answer: .json(200, .page(.reference("Note"))))),
            Operation(.post, "/customers/{taxId}/notes", [.admin, .accountant], .init(
                "adds a note", body: .record(["author": .text(100), "text": .text(4000)]),
                answer: .json(201, .reference("Note")))),
            Operation(.get, "/customers/{taxId}/statement", AccessPolicy.readers, .init(
                "a customer's account: balance, entries and open receivables",
                answer: .json(200, .record([
                    "customerTaxId": .string, "name": .nullable(.string), "creditCents": .cents, "balanceCents": .cents,
                    "entries": .array(.record(["kind": .string, "reference": .string, "amountCents": .cents, "at": .dateTime])),
                    "open": .array(.reference("Receivable")),
                ])))),
            Operation(.get, "/dunning", AccessPolicy.readers, .init(
                "the dunning notices raised, oldest first",
                query: [.init("customer", "a customer's tax id"), .init("receivable", .integer, "a receivable's id")] + paging,
                answer: .json(200, .page(.record([
                    "receivableId": .integer, "invoiceNumber": .string, "customerTaxId": .string, "level": .integer, "name": .string,
                    "raisedOn": .date, "message": .string,
                ]))))),
            Operation(.get, "/dunning-levels", AccessPolicy.readers, .init(
                "the dunning levels (at most 10)", answer: .json(200, .array(.reference("DunningLevel"))))),
            Operation(.put, "/dunning-levels", [.admin, .accountant], .init(
                "replaces the dunning levels", body: .array(.reference("DunningLevel")), answer: .json(200, .array(.reference("DunningLevel"))))),
            Operation(.get, "/receivables", AccessPolicy.readers, .init(
                "receivables by due date",
                query: [
                    .init("status", .oneOf(["open", "paid", "written_off", "cancelled"]), "the default is open"), .init("customer", "a customer's tax id"),
                    .init("store", "a store"),
                ] + paging,
                answer: .json(200, .page(.reference("Receivable"))))),
            Operation(.post, "/payments", [.admin, .accountant], .init(
                "records a payment (once per paymentId) and allocates it to the customer's receivables, oldest first",
                body: .object(["paymentId": .identifier, "customerTaxId": .taxId, "amountCents": .integer(minimum: 1), "invoiceNumber": .string],
                              required: ["paymentId", "customerTaxId", "amountCents"]),
                answer: .createdOrFound(.record([
                    "paymentId": .string, "allocations": .array(.record(["invoiceNumber": .string, "amountCents": .cents, "settled": .boolean])),
                    "creditCents": .cents, "recorded": .described(.boolean, "false when the payment had been recorded before (answered 200)"),
                ])))),
            Operation(.get, "/tills/sessions", tillReaders, store: .query("store"), .init(
                "till sessions, newest first",
                query: [
                    .init("store", "the store (required of a store manager)"), .init("terminal", "a terminal"), .init("date", .date, "the business date"),
                    .init("status", .oneOf(TillRoutes.statuses), "open, closed (waiting for its receipts) or reported"),
                ] + paging,
                answer: .json(200, .page(.reference("TillSession"))))),
            Operation(.get, "/tills/sessions/{id}", tillReaders, store: tillSession, .init(
                "one till session", path: ["id": .integer], answer: .json(200, .reference("TillSession")))),
            Operation(.get, "/tills/sessions/{id}/z-report", tillReaders, store: tillSession, .init(
                "a session's Z report as issued, with the sales that arrived after it (404 until it is issued)", path: ["id": .integer],
                answer: .json(200, .record(["zReport": .reference("ZReport"), "late": .reference("LateSales")])))),
            Operation(.get, "/tills/sessions/{id}/z-report.html", tillReaders, store: tillSession, .init(
                "a session's Z report as a page to print on the till roll", path: ["id": .integer], answer: .media(200, "text/html"))),
            Operation(.get, "/tills/day", tillReaders, store: .query("store"), .init(
                "a store's day: its tills' Z reports summed",
                query: [.init("store", required: true, "the store"), .init("date", .date, required: true, "the business date")],
                answer: .json(200, .record([
                    "storeId": .string, "date": .date, "unreportedSessions": .integer,
                    "sessions": .array(.record(["terminalId": .string, "sessionId": .string, "zNumber": .integer, "differenceCents": .cents])),
                    "sales": count, "returns": count, "methods": .array(method), "onAccountCents": .cents, "taxes": .array(tax),
                    "differenceCents": .cents, "late": count,
                ])))),
            Operation(.post, "/receivables/{id}/write-off", [.admin, .accountant], .init(
                "writes a receivable off", path: ["id": .integer], body: .record(["reason": .text(500)]),
                answer: .json(200, .reference("Receivable")))),
        ],
        schemas: [
            "TillSession": .record([
                "id": .integer, "sessionId": .string, "storeId": .string, "terminalId": .string, "businessDate": .date,
                "status": .oneOf(TillRoutes.statuses), "openedAt": .string, "closedAt": .nullable(.string), "cashierId": .nullable(.string),
                "openingFloatCents": .cents, "countedCashCents": .nullable(.cents), "cardTotalCents": .nullable(.cents),
                "voucherTotalCents": .nullable(.cents), "declaredReceipts": .nullable(.integer), "documents": .integer, "lateDocuments": .integer,
                "zNumber": .nullable(.integer),
            ]),
            "ZReport": .object([
                "zNumber": .integer, "sessionId": .string, "storeId": .string, "terminalId": .string, "businessDate": .date,
                "cashierId": .string, "openedAt": .string, "closedAt": .string, "issuedAt": .dateTime, "sales": count, "returns": count,
                "methods": .array(method),
                "cash": .record([
                    "openingFloatCents": .cents, "salesCents": .cents, "paidInCents": .cents, "paidOutCents": .cents, "expectedCents": .cents,
                    "countedCents": .cents, "differenceCents": .cents,
                ]),
                "onAccountCents": .cents, "taxes": .array(tax), "firstReceipt": .integer, "lastReceipt": .integer,
                "invoiceNumbers": .array(.string), "differenceCents": .cents, "declaredReceipts": .integer, "documents": .integer,
            ], required: [
                "zNumber", "sessionId", "storeId", "terminalId", "businessDate", "openedAt", "closedAt", "issuedAt", "sales", "returns", "methods",
                "cash", "onAccountCents", "taxes", "invoiceNumbers", "differenceCents", "documents",
            ]),
            "LateSales": .record([
                "count": .integer, "totalCents": .cents, "cashCents": .cents, "cashDifferenceCents": .cents,
                "documents": .array(.record([
                    "invoiceNumber": .string, "receiptNumber": .integer, "kind": .string, "totalCents": .cents,
                    "payments": .array(.record(["method": .string, "amountCents": .cents])),
                ])),
            ]),
            "Customer": .record(["taxId": .string, "name": .nullable(.string), "paymentTermsDays": .integer, "creditCents": .cents]),
            "Note": .record(["id": .integer, "author": .string, "text": .string, "at": .dateTime]),
            "DunningLevel": .record(["level": .integer, "daysOverdue": .integer(minimum: 1), "name": .string, "template": .string(maxLength: 2000)]),
            "Receivable": .record([
                "id": .integer, "invoiceNumber": .string, "customerTaxId": .string, "storeId": .string, "issueDate": .date, "dueDate": .date,
                "amountCents": .cents, "paidCents": .cents, "outstandingCents": .cents, "status": .oneOf(["open", "paid", "written_off", "cancelled"]),
                "writtenOffReason": .nullable(.string),
            ]),
        ])
}
