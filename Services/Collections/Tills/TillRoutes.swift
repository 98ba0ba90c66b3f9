import Contracts
import Foundation
import Hummingbird
import PostgresClient
import ServiceRuntime

/// Collections' till API: sessions, one session's Z report (JSON, and a printable page) with its late sales, and a
/// store's day, which sums its tills' reports.
enum TillRoutes {
    static let statuses = ["open", "closed", "reported"]

    static func add(to router: Router<BasicRequestContext>, database: Database) {
        router.get("/tills/sessions") { request, _ in
            let query = request.uri.queryParameters
            let status = query.get("status")
            if let status, !statuses.contains(status) { return error(.badRequest, "status is open, closed or reported") }
            if let date = query.get("date"), !OperationsRoutes.isDate(date) { return error(.badRequest, "date is yyyy-mm-dd") }
            let page = try PageRequest.read(request, keys: 1)
            let rows = try await database.query(
                """
                SELECT \(sessionJSON)::text, id::text FROM till_sessions
                WHERE ($1::text IS NULL OR store_id = $1) AND ($2::text IS NULL OR terminal_id = $2) AND ($3::date IS NULL OR business_date = $3::date)
                  AND ($4::text IS NULL OR \(statusSQL) = $4) AND id < $5
                ORDER BY id DESC LIMIT $6
                """,
                [query.get("store"), query.get("terminal"), query.get("date"), status, page.after.flatMap { Int64($0[0]) } ?? Int64.max, page.limit + 1])
            return try page.response(rows)
        }
        router.get("/tills/sessions/:id") { _, context in
            guard let id = Int64(try context.parameters.require("id")) else { return error(.badRequest, "the id is a number") }
            guard let row = try await database.query("SELECT \(sessionJSON)::text FROM till_sessions WHERE id = $1", [id]).first else {
                return error(.notFound, "no till session \(id)")
            }
            return OperationsRoutes.jsonResponse(.ok, try row.decode(String.self, at: 0))
        }
        router.get("/tills/sessions/:id/z-report") { _, context in
            guard let id = Int64(try context.parameters.require("id")) else { return error(.badRequest, "the id is a number") }
            guard let (report, late) = try await report(id, database: database) else {
                return error(.notFound, "till session \(id) is unknown or has no Z report yet (it is issued once the till closed and its receipts are in)")
            }
            return OperationsRoutes.jsonResponse(.ok, try json(ReportWithLate(zReport: report, late: late)))
        }
        router.get("/tills/sessions/:id/z-report.html") { _, context in
            guard let id = Int64(try context.parameters.require("id")) else { return error(.badRequest, "the id is a number") }
            guard let (report, late) = try await report(id, database: database) else {
                return error(.notFound, "till session \(id) is unknown or has no Z report yet")
            }
            return Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: ZReportPage(report: report, late: late).html)))
        }
        router.get("/tills/day") { request, _ in
            let query = request.uri.queryParameters
            guard let store = query.get("store"), OperationsRoutes.isIdentifier(store), let date = query.get("date"), OperationsRoutes.isDate(date)
            else { return error(.badRequest, "give the store and the date: /tills/day?store=S001&date=2026-12-01") }
            let rows = try await database.query(
                "SELECT id, z_report, \(statusSQL) FROM till_sessions WHERE store_id = $1 AND business_date = $2::date ORDER BY terminal_id, opened_at",
                [store, date])
            var reports: [ZReport] = []
            var lates: [LateSales] = []
            var open = 0
            for row in rows {
                guard let text = try row.decodeIfPresent(String.self, at: 1) else {
                    open += 1
                    continue
                }
                let report = try JSONDecoder().decode(ZReport.self, from: Data(text.utf8))
                reports.append(report)
                let late = try await database.transaction { try TillSessions.documents(session: try row.decode(Int64.self, at: 0), late: true, on: $0) }
                lates.append(LateSales(late, of: report))
            }
            return OperationsRoutes.jsonResponse(.ok, try json(StoreDay(storeId: store, date: date, reports: reports, lates: lates, unreported: open)))
        }
    }

    /// Open, closed (waiting for its receipts) or reported.
    static let statusSQL = "CASE WHEN z_number IS NOT NULL THEN 'reported' WHEN closed_at IS NOT NULL THEN 'closed' ELSE 'open' END"

    static let sessionJSON = """
        json_build_object('id', id, 'sessionId', session_id, 'storeId', store_id, 'terminalId', terminal_id,
            'businessDate', to_char(business_date, 'YYYY-MM-DD'), 'status', \(statusSQL), 'openedAt', opened_text, 'closedAt', closed_text,
            'cashierId', cashier_id, 'openingFloatCents', opening_float_cents, 'countedCashCents', counted_cash_cents,
            'cardTotalCents', card_total_cents, 'voucherTotalCents', voucher_total_cents, 'declaredReceipts', declared_receipts,
            'documents', (SELECT count(*) FROM till_documents d WHERE d.session = till_sessions.id AND NOT d.late),
            'lateDocuments', (SELECT count(*) FROM till_documents d WHERE d.session = till_sessions.id AND d.late),
            'zNumber', z_number)
        """

    /// The sales that reached a session after its Z report: listed, flagged, summed; with the cash they took, which
    /// was in the drawer when it was counted (they were made before the close) and explains that much of the report's
    /// cash difference: `cashDifferenceCents` is that difference once they are counted.
    struct LateSales: Codable, Sendable, Equatable {
        var count: Int64
        var totalCents: Int64
        var cashCents: Int64
        var cashDifferenceCents: Int64
        var documents: [Line]

        struct Line: Codable, Sendable, Equatable {
            var invoiceNumber: String
            var receiptNumber: Int64
            var kind: String
            var totalCents: Int64
            var payments: [InvoiceIssuedV1.Payment]
        }

        init(_ documents: [ZReport.Document], of report: ZReport) {
            count = Int64(documents.count)
            totalCents = documents.reduce(0) { $0 + $1.totalCents }
            cashCents = ZReport.paidByMethod(documents)["cash", default: 0]
            cashDifferenceCents = report.cashDifferenceCents - cashCents
            self.documents = documents.map {
                Line(invoiceNumber: $0.invoiceNumber, receiptNumber: $0.receiptNumber, kind: $0.kind, totalCents: $0.totalCents, payments: $0.payments)
            }
        }
    }

    struct ReportWithLate: Encodable {
        var zReport: ZReport
        var late: LateSales
    }

    /// A store's day: its tills' Z reports summed (sales, returns, methods, rates, late sales), and how many of its
    /// sessions have none yet.
    struct StoreDay: Encodable {
        var storeId: String
        var date: String
        var sessions: [Session]
        var unreportedSessions: Int
        var sales: ZReport.Count
        var returns: ZReport.Count
        var methods: [ZReport.Method]
        var onAccountCents: Int64
        var taxes: [ZReport.Tax]
        var differenceCents: Int64
        var late: ZReport.Count

        struct Session: Encodable {
            var terminalId: String
            var sessionId: String
            var zNumber: Int64
            var differenceCents: Int64
        }

        init(storeId: String, date: String, reports: [ZReport], lates: [LateSales], unreported: Int) {
            self.storeId = storeId
            self.date = date
            unreportedSessions = unreported
            sessions = reports.map { Session(terminalId: $0.terminalId, sessionId: $0.sessionId, zNumber: $0.zNumber, differenceCents: $0.differenceCents) }
            sales = ZReport.Count(count: reports.reduce(0) { $0 + $1.sales.count }, totalCents: reports.reduce(0) { $0 + $1.sales.totalCents })
            returns = ZReport.Count(count: reports.reduce(0) { $0 + $1.returns.count }, totalCents: reports.reduce(0) { $0 + $1.returns.totalCents })
            methods = ZReport.countedMethods.map { method in
                let all = reports.flatMap(\.methods).filter { $0.method == method }
                return ZReport.Method(
                    method: method, expectedCents: all.reduce(0) { $0 + $1.expectedCents }, countedCents: all.reduce(0) { $0 + $1.countedCents },
                    differenceCents: all.reduce(0) { $0 + $1.differenceCents })
            }
            onAccountCents = reports.reduce(0) { $0 + $1.onAccountCents }
            taxes = ZReport.Tax.summed(reports.flatMap(\.taxes))
            differenceCents = reports.reduce(0) { $0 + $1.differenceCents }
            late = ZReport.Count(count: lates.reduce(0) { $0 + $1.count }, totalCents: lates.reduce(0) { $0 + $1.totalCents })
        }
    }

    private static func report(_ id: Int64, database: Database) async throws -> (ZReport, LateSales)? {
        guard let row = try await database.query("SELECT z_report FROM till_sessions WHERE id = $1 AND z_report IS NOT NULL", [id]).first else {
            return nil
        }
        let report = try JSONDecoder().decode(ZReport.self, from: Data(try row.decode(String.self, at: 0).utf8))
        let late = try await database.transaction { try TillSessions.documents(session: id, late: true, on: $0) }
        return (report, LateSales(late, of: report))
    }

    private static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    private static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        OperationsRoutes.errorResponse(status, message)
    }
}
