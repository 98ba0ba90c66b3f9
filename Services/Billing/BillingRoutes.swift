import Contracts
import Foundation
import Hummingbird
import PostgresClient
import ServiceRuntime

/// Billing's HTTP API so far: issuers (which legal entity invoices for which stores), series with their next
/// numbers, and the check of an issuer's fingerprint chain.
enum BillingRoutes {
    struct IssuerBody: Decodable {
        var legalName: String
        var address: String
        var stores: [String]
    }

    static func add(to router: Router<BasicRequestContext>, database: Database, statistics: BillingStatistics, fiscal: FiscalSettings = FiscalSettings(),
        announcements: AnnouncementSettings = AnnouncementSettings()
    ) {
        router.get("/stats") { _, _ in
            OperationsRoutes.jsonResponse(.ok, String(decoding: try JSONEncoder().encode(statistics.snapshot), as: UTF8.self))
        }
        router.put("/issuers/:taxId") { request, context in
            let taxId = try context.parameters.require("taxId")
            guard SpanishTaxId.isValid(taxId), taxId == taxId.uppercased() else {
                return error(.badRequest, "an issuer's tax id is a Spanish NIF (9 characters, upper case) whose control character checks")
            }
            let body: IssuerBody
            do {
                body = try await request.decode(as: IssuerBody.self, context: context)
            } catch {
                return Self.error(.badRequest, "the body must be JSON with legalName, address and stores (a list of store ids)")
            }
            // The legal name is printed and goes into every billing record (NombreRazonEmisor: at most 120 characters).
            guard !body.legalName.isEmpty, body.legalName.unicodeScalars.count <= 120, !body.address.isEmpty, body.address.count <= 200 else {
                return error(.badRequest, "legalName must be 1–120 characters and address 1–200")
            }
            guard SaleContract.controlCharacter(in: body.legalName) == nil, SaleContract.controlCharacter(in: body.address) == nil else {
                return error(.badRequest, "legalName and address cannot hold control characters")
            }
            guard body.stores.allSatisfy(OperationsRoutes.isIdentifier) else {
                return error(.badRequest, "store ids are 1–48 letters, digits, '-' or '_'")
            }
            let issuer = Issuer(taxId: taxId, legalName: body.legalName, address: body.address)
            let actor = AuditTrail.Actor.current
            try await database.transaction { connection in
                try BillingStore.addIssuer(issuer, stores: body.stores, on: connection)
                try AuditTrail.record(
                    "issuer.changed", target: "issuer \(taxId)", details: "\(body.legalName); stores \(body.stores.joined(separator: ", "))", by: actor,
                    on: connection)
            }
            return try await issuerResponse(taxId, database: database) ?? error(.internalServerError, "the issuer was not stored")
        }
        router.get("/issuers/:taxId") { _, context in
            let taxId = try context.parameters.require("taxId")
            return try await issuerResponse(taxId, database: database) ?? error(.notFound, "no issuer with that tax id")
        }
        router.get("/issuers") { request, _ in
            let page = try PageRequest.read(request, keys: 1)
            let rows = try await database.query(
                """
                SELECT json_build_object('taxId', i.tax_id, 'legalName', i.legal_name, 'address', i.address,
                    'stores', (SELECT coalesce(json_agg(s.store_id ORDER BY s.store_id), '[]') FROM store_issuers s WHERE s.issuer_tax_id = i.tax_id))::text,
                    i.tax_id
                FROM issuers i WHERE i.tax_id > $1 ORDER BY i.tax_id LIMIT $2
                """, [page.afterText, page.limit + 1])
            return try page.response(rows)
        }
        router.get("/issuers/:taxId/chain") { _, context in
            let taxId = try context.parameters.require("taxId")
            guard OperationsRoutes.isTaxId(taxId) else { return error(.badRequest, "the tax id must be 2–20 letters and digits") }
            let check = try await database.withConnection { try BillingStore.verifyChain(issuerTaxId: taxId, on: $0) }
            let broken = check.firstBroken.map { "\"\($0)\"" } ?? "null"
            return OperationsRoutes.jsonResponse(
                .ok, #"{"issuer":"\#(taxId)","records":\#(check.records),"valid":\#(check.firstBroken == nil),"firstBroken":\#(broken)}"#)
        }
        router.get("/invoices") { request, _ in
            guard let store = request.uri.queryParameters.get("store"), !store.isEmpty else {
                return error(.badRequest, "store is required: /invoices?store=S001&from=2026-11-01&to=2026-11-30")
            }
            let from = request.uri.queryParameters.get("from") ?? "0001-01-01"
            let to = request.uri.queryParameters.get("to") ?? "9999-12-31"
            guard OperationsRoutes.isDate(from), OperationsRoutes.isDate(to) else { return error(.badRequest, "from and to are dates: yyyy-mm-dd") }
            let page = try PageRequest.read(request, keys: 3)
            if let after = page.after, !OperationsRoutes.isDate(after[0]) || Int64(after[2]) == nil {
                return error(.badRequest, "after is a cursor from a previous page's next")
            }
            return page.response(try await BillingStore.documents(store: store, from: from, to: to, page: page, database: database))
        }
        router.get("/invoices/:series/:number") { request, context in
            // `…/{number}.html`: the printable document (`?width=ticket`, the default, or `a4`).
            let raw = try context.parameters.require("number")
            if raw.hasSuffix(".html") {
                let series = try context.parameters.require("series")
                guard let number = Int64(raw.dropLast(5)), number > 0 else { return error(.badRequest, "the number is a whole number from 1") }
                guard let width = PrintableInvoice.Width(rawValue: request.uri.queryParameters.get("width") ?? "ticket") else {
                    return error(.badRequest, "width is ticket (80 mm) or a4")
                }
                guard let text = try await BillingStore.document(series: series, number: number, database: database),
                    let document = try? JSONDecoder().decode(InvoiceIssuedV1.self, from: Data(text.utf8)), let qr = QRCode(document.qrURL)
                else { return error(.notFound, "no invoice \(series)/\(number)") }
                return Response(
                    status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(string: PrintableInvoice(document: document, qr: qr, width: width).html)))
            }
            guard let (series, number) = try invoiceNumber(context) else { return error(.badRequest, "the number is a whole number from 1") }
            guard let document = try await BillingStore.document(series: series, number: number, database: database) else {
                return error(.notFound, "no invoice \(series)/\(number)")
            }
            return OperationsRoutes.jsonResponse(.ok, document)
        }
        router.get("/invoices/:series/:number/record.xml") { _, context in
            guard let (series, number) = try invoiceNumber(context) else { return error(.badRequest, "the number is a whole number from 1") }
            let record = try await BillingStore.record(series: series, number: number, database: database)
            return record.map(xml) ?? error(.notFound, "no billing record for \(series)/\(number)")
        }
        // The ticket's QR code: the tax agency's validation URL of the invoice, as SVG or PNG.
        for (format, contentType) in [("svg", "image/svg+xml"), ("png", "image/png")] {
            router.get("/invoices/:series/:number/qr.\(format)") { _, context in
                guard let (series, number) = try invoiceNumber(context) else { return error(.badRequest, "the number is a whole number from 1") }
                guard let url = try await database.query(
                    "SELECT document::json->>'qrURL' FROM invoices WHERE series = $1 AND number = $2 AND document IS NOT NULL", [series, number]
                ).first?.decodeIfPresent(String.self, at: 0), let code = QRCode(url) else {
                    return error(.notFound, "no invoice \(series)/\(number)")
                }
                let body = format == "svg" ? ByteBuffer(string: code.svg) : ByteBuffer(bytes: code.png())
                return Response(status: .ok, headers: [.contentType: contentType], body: .init(byteBuffer: body))
            }
        }
        router.post("/invoices/:series/:number/cancellation") { request, context in
            guard let (series, number) = try invoiceNumber(context) else { return error(.badRequest, "the number is a whole number from 1") }
            struct Body: Decodable { var reason: String }
            guard let body = try? await request.decode(as: Body.self, context: context) else {
                return error(.badRequest, #"the body must be JSON with the reason: {"reason": "..."}"#)
            }
            guard !body.reason.isEmpty, body.reason.unicodeScalars.count <= 500, SaleContract.controlCharacter(in: body.reason) == nil else {
                return error(.badRequest, "the reason is 1–500 characters without control characters")
            }
            let generatedAt = InvoiceIssuer.now()
            let system = fiscal.system
            let actor = AuditTrail.Actor.current
            let outcome = try await database.transaction { connection in
                let outcome = try Cancellations.cancel(
                    series: series, number: number, reason: body.reason, generatedAt: generatedAt, system: system, on: connection)
                if case .cancelled = outcome {
                    try AuditTrail.record("invoice.cancelled", target: "invoice \(series)/\(number)", details: body.reason, by: actor, on: connection)
                }
                return outcome
            }
            switch outcome {
            case .unknown: return error(.notFound, "no invoice \(series)/\(number)")
            case .alreadyCancelled: return error(.conflict, "\(series)/\(number) is already cancelled")
            case .cancelled(let event):
                return OperationsRoutes.jsonResponse(.created, String(decoding: try JSONEncoder().encode(event), as: UTF8.self))
            }
        }
        router.post("/invoices/:series/:number/substitution") { request, context in
            guard let (series, number) = try invoiceNumber(context) else { return error(.badRequest, "the number is a whole number from 1") }
            struct Body: Decodable { var customer: POSSaleV1.Customer }
            guard let body = try? await request.decode(as: Body.self, context: context), let taxId = body.customer.taxId else {
                return error(.badRequest, #"the body must be JSON with the customer: {"customer": {"taxId": "B12345674", "name": "…", "address": "…"}}"#)
            }
            let texts = [taxId, body.customer.name ?? "", body.customer.address ?? ""]
            guard OperationsRoutes.isTaxId(taxId), let name = body.customer.name, (1...120).contains(name.unicodeScalars.count),
                (body.customer.address?.unicodeScalars.count ?? 0) <= 200, texts.allSatisfy({ SaleContract.controlCharacter(in: $0) == nil })
            else {
                return error(.badRequest, "the customer's taxId is 2–20 letters and digits, its name 1–120 characters, its address up to 200")
            }
            let generatedAt = InvoiceIssuer.now()
            let customer = POSSaleV1.Customer(taxId: taxId.uppercased(), name: name, address: body.customer.address)
            let actor = AuditTrail.Actor.current
            let outcome = try await database.transaction { connection in
                let outcome = try Substitutions.substitute(
                    series: series, number: number, customer: customer, generatedAt: generatedAt, fiscal: fiscal,
                    announcements: announcements, on: connection)
                if case .issued(let substitute, _) = outcome {
                    try AuditTrail.record(
                        "invoice.substituted", target: "invoice \(series)/\(number)", details: "by \(substitute) for \(taxId)", by: actor, on: connection)
                }
                return outcome
            }
            switch outcome {
            case .unknown: return error(.notFound, "no invoice \(series)/\(number)")
            case .notSimplified(let kind): return error(.conflict, "\(series)/\(number) is an \(kind): only a simplified invoice (F2) is substituted")
            case .cancelled: return error(.conflict, "\(series)/\(number) is cancelled")
            case .alreadySubstituted(let existing): return error(.conflict, "\(series)/\(number) is already substituted by \(existing)")
            case .noOpenSeries: return error(.conflict, "the ticket's issuer no longer invoices for its store and its year is closed")
            case .issued(_, let document): return OperationsRoutes.jsonResponse(.created, document)
            }
        }
        router.get("/invoices/:series/:number/cancellation.xml") { _, context in
            guard let (series, number) = try invoiceNumber(context) else { return error(.badRequest, "the number is a whole number from 1") }
            let record = try await Cancellations.record(series: series, number: number, database: database)
            return record.map(xml) ?? error(.notFound, "\(series)/\(number) has no annulment record (it is not cancelled)")
        }
        router.put("/customers/:taxId/equivalence-surcharge") { request, context in
            let taxId = try context.parameters.require("taxId")
            guard OperationsRoutes.isTaxId(taxId) else { return error(.badRequest, "the tax id must be 2–20 letters and digits") }
            struct Body: Decodable { var applies: Bool }
            guard let body = try? await request.decode(as: Body.self, context: context) else {
                return error(.badRequest, #"the body must be {"applies": true} or {"applies": false}"#)
            }
            let actor = AuditTrail.Actor.current
            try await database.transaction { connection in
                if body.applies {
                    try connection.query("INSERT INTO surcharge_customers (tax_id) VALUES ($1) ON CONFLICT DO NOTHING", [taxId])
                } else {
                    try connection.query("DELETE FROM surcharge_customers WHERE tax_id = $1", [taxId])
                }
                try AuditTrail.record(
                    "customer.equivalence_surcharge_set", target: "customer \(taxId)", details: body.applies ? "applies" : "does not apply", by: actor,
                    on: connection)
            }
            return OperationsRoutes.jsonResponse(.ok, #"{"taxId":"\#(taxId)","applies":\#(body.applies)}"#)
        }
        // A store manager sees its stores' series.
        router.get("/series") { request, _ in
            let page = try PageRequest.read(request, keys: 1)
            let rows = try await database.query(
                """
                SELECT json_build_object('series', code, 'issuer', issuer_tax_id, 'store', store_id, 'year', year,
                    'creditNotes', credit_notes, 'nextNumber', next_number)::text, code
                FROM series WHERE code > $1 AND ($2::text[] IS NULL OR store_id = ANY($2::text[])) ORDER BY code LIMIT $3
                """, [page.afterText, Caller.stores.map(PostgresArrays.text), page.limit + 1])
            return try page.response(rows)
        }
    }

    private static func issuerResponse(_ taxId: String, database: Database) async throws -> Response? {
        let rows = try await database.query(
            """
            SELECT json_build_object('taxId', i.tax_id, 'legalName', i.legal_name, 'address', i.address,
                'stores', (SELECT coalesce(json_agg(s.store_id ORDER BY s.store_id), '[]') FROM store_issuers s WHERE s.issuer_tax_id = i.tax_id))::text
            FROM issuers i WHERE i.tax_id = $1
            """, [taxId])
        return try rows.first.map { OperationsRoutes.jsonResponse(.ok, try $0.decode(String.self, at: 0)) }
    }


    /// The series and number a route names (nil when the number is not a whole number from 1).
    static func invoiceNumber(_ context: BasicRequestContext) throws -> (String, Int64)? {
        let series = try context.parameters.require("series")
        guard let number = Int64(try context.parameters.require("number")), number > 0 else { return nil }
        return (series, number)
    }

    /// A stored record as an XML document.
    private static func xml(_ record: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/xml; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n" + record)))
    }

    private static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        OperationsRoutes.errorResponse(status, message)
    }
}
