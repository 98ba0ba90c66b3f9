import AMQPClient
import Contracts
import Foundation
import PostgresClient
import ServiceRuntime

/// Till sessions in the `collections` schema: opened, cash moved, closed, the documents of their sales, and the Z
/// report issued once per session.
///
/// A document (an invoice or credit note billing issued for a till sale) belongs to the session its sale names in
/// `tillSessionId`, or else to the session its terminal had open at the sale's `occurredAt`. Documents may arrive
/// before their session is known (they wait, unassigned) and long after it closed. A closed session's Z report is
/// issued as soon as it holds the receipts the terminal said it sent, or once the settle time has passed since the
/// close arrived; a document that comes to a session after its Z report is a late sale: shown in the report's late
/// line, flagged, and in no other session.
enum TillSessions {
    /// What a closed session waits for at most before its Z report is issued without all its receipts.
    static let defaultSettle: Duration = .seconds(300)

    // MARK: Till events

    static func open(_ event: TillOpenedV1, on connection: PostgresConnection) throws(TillRefusal) {
        do {
            let inserted = try connection.query(
                """
                INSERT INTO till_sessions (store_id, terminal_id, session_id, business_date, opened_at, opened_text, opening_float_cents, cashier_id)
                VALUES ($1, $2, $3, $4::date, $5::text::timestamptz, $5::text, $6, $7)
                ON CONFLICT (store_id, terminal_id, session_id) DO NOTHING RETURNING id
                """,
                [event.storeId, event.terminalId, event.sessionId, String(event.openedAt.prefix(10)), event.openedAt, event.openingFloat, event.cashierId])
            if inserted.isEmpty {
                let same = try connection.query(
                    """
                    SELECT 1 FROM till_sessions WHERE store_id = $1 AND terminal_id = $2 AND session_id = $3
                      AND opened_text = $4 AND opening_float_cents = $5 AND cashier_id IS NOT DISTINCT FROM $6
                    """, [event.storeId, event.terminalId, event.sessionId, event.openedAt, event.openingFloat, event.cashierId])
                if same.isEmpty {
                    throw TillRefusal("till.session_exists", "session \(event.sessionId) of \(event.terminalId) was opened before, differently")
                }
                return
            }
            try assign(openedSession: event, on: connection)
        } catch let refusal as TillRefusal {
            throw refusal
        } catch {
            throw TillRefusal.failed(error)
        }
    }

    static func moveCash(_ event: TillCashMovedV1, on connection: PostgresConnection) throws(TillRefusal) {
        do {
            let session = try self.session(event.sessionId, store: event.storeId, terminal: event.terminalId, on: connection)
            guard session.zNumber == nil else {
                throw TillRefusal("till.session_reported", "session \(event.sessionId)'s Z report was issued: cash can no longer move in it")
            }
            let amount = event.direction == "in" ? event.amount : -event.amount
            let inserted = try connection.query(
                """
                INSERT INTO till_cash_moves (session, move_id, moved_at, amount_cents, reason) VALUES ($1, $2, $3::timestamptz, $4, $5)
                ON CONFLICT DO NOTHING RETURNING 1
                """, [session.id, event.moveId, event.movedAt, amount, event.reason])
            if inserted.isEmpty,
                try connection.query(
                    "SELECT 1 FROM till_cash_moves WHERE session = $1 AND move_id = $2 AND amount_cents = $3 AND reason = $4",
                    [session.id, event.moveId, amount, event.reason]
                ).isEmpty
            {
                throw TillRefusal("till.move_exists", "cash movement \(event.moveId) was recorded before, differently")
            }
        } catch let refusal as TillRefusal {
            throw refusal
        } catch {
            throw TillRefusal.failed(error)
        }
    }

    /// Closes the session (a second, identical close changes nothing) and issues its Z report if it is complete.
    static func close(_ event: TillClosedV1, settle: Duration, on connection: PostgresConnection) throws(TillRefusal) {
        do {
            let session = try self.session(event.sessionId, store: event.storeId, terminal: event.terminalId, on: connection)
            let closed = try connection.query(
                """
                UPDATE till_sessions SET closed_at = $2::text::timestamptz, closed_text = $2::text, closed_received_at = now(), counted_cash_cents = $3,
                    card_total_cents = $4, voucher_total_cents = $5, declared_receipts = $6
                WHERE id = $1 AND closed_at IS NULL RETURNING 1
                """, [session.id, event.closedAt, event.countedCash, event.cardTotal, event.voucherTotal, event.receipts])
            if closed.isEmpty {
                let same = try connection.query(
                    """
                    SELECT 1 FROM till_sessions WHERE id = $1 AND closed_text = $2 AND counted_cash_cents = $3 AND card_total_cents = $4
                      AND voucher_total_cents = $5 AND declared_receipts IS NOT DISTINCT FROM $6
                    """, [session.id, event.closedAt, event.countedCash, event.cardTotal, event.voucherTotal, event.receipts])
                if same.isEmpty { throw TillRefusal("till.already_closed", "session \(event.sessionId) was closed before, with other amounts") }
                return
            }
            // Sales placed in it by time while it was open, but made after its close, are not its own: they go to the
            // terminal's next session, or wait for it.
            let detached = try connection.query(
                """
                UPDATE till_documents SET session = NULL WHERE session = $1 AND till_session_id IS NULL AND occurred_at > $2::text::timestamptz
                RETURNING invoice_number
                """, [session.id, event.closedAt]
            ).map { try $0.decode(String.self, at: 0) }
            let touched = try assign(numbers: detached, on: connection)
            try reportIfComplete([session.id] + touched, settle: settle, on: connection)
        } catch let refusal as TillRefusal {
            throw refusal
        } catch {
            throw TillRefusal.failed(error)
        }
    }

    // MARK: Documents

    /// Records the till documents among `documents` (once each, by number), places them in their sessions, and issues
    /// the Z reports they complete. Only the documents of terminals that keep till sessions are kept (those that name
    /// a session, or whose terminal is among `withTills`, those that have opened one, as `<store>/<terminal>`; every
    /// terminal's when `withTills` is nil): a chain that does not close its tills pays nothing for them.
    static func record(
        _ documents: [InvoiceIssuedV1], withTills: Set<String>?, settle: Duration, on connection: PostgresConnection
    ) throws {
        let candidates = documents.filter { $0.substitutes == nil && $0.receiptNumber != nil && $0.occurredAt != nil }
        let till = candidates.filter { $0.tillSessionId != nil || withTills?.contains("\($0.storeId)/\($0.terminalId)") ?? true }
        guard !till.isEmpty else { return }
        let encoder = JSONEncoder()
        func json<T: Encodable>(_ value: T) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }
        let taxes = try till.map { document in
            try json(document.taxes.map { ZReport.Tax(rate: $0.rate, baseCents: $0.baseCents, taxCents: $0.taxCents, surchargeCents: $0.surchargeCents) })
        }
        let inserted = try connection.query(
            """
            INSERT INTO till_documents (invoice_number, kind, store_id, terminal_id, till_session_id, occurred_at, occurred_text,
                receipt_number, total_cents, payments, taxes)
            SELECT n, k, s, t, nullif(i, ''), o::timestamptz, o, r, c, p::jsonb, x::jsonb
            FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[], $9::text[], $10::text[])
                AS d(n, k, s, t, i, o, r, c, p, x)
            ORDER BY n
            ON CONFLICT (invoice_number) DO NOTHING RETURNING invoice_number
            """,
            [
                PostgresArrays.text(till.map(\.number)), PostgresArrays.text(till.map(\.kind)), PostgresArrays.text(till.map(\.storeId)),
                PostgresArrays.text(till.map(\.terminalId)), PostgresArrays.text(till.map { $0.tillSessionId ?? "" }),
                PostgresArrays.text(till.map { $0.occurredAt! }), PostgresArrays.bigint(till.map { $0.receiptNumber! }),
                PostgresArrays.bigint(till.map(\.totalCents)), PostgresArrays.text(try till.map { try json($0.payments ?? []) }),
                PostgresArrays.text(taxes),
            ])
        let numbers = try inserted.map { try $0.decode(String.self, at: 0) }
        try reportIfComplete(try assign(numbers: numbers, on: connection), settle: settle, on: connection)
    }

    /// Which of `terminals` have had a till session, as `<store>/<terminal>`.
    static func terminalsWithSessions(_ terminals: [(store: String, terminal: String)], on connection: PostgresConnection) throws -> Set<String> {
        guard !terminals.isEmpty else { return [] }
        return Set(
            try connection.query(
                """
                SELECT DISTINCT k.s || '/' || k.t FROM unnest($1::text[], $2::text[]) AS k(s, t)
                WHERE EXISTS (SELECT 1 FROM till_sessions c WHERE c.store_id = k.s AND c.terminal_id = k.t)
                """, [PostgresArrays.text(terminals.map(\.store)), PostgresArrays.text(terminals.map(\.terminal))]
            ).map { try $0.decode(String.self, at: 0) })
    }

    /// Places the documents `numbers` in their sessions (a document coming to a reported session is late); returns
    /// the sessions that got documents.
    @discardableResult
    static func assign(numbers: [String], on connection: PostgresConnection) throws -> [Int64] {
        guard !numbers.isEmpty else { return [] }
        return try assign(where: "d.invoice_number = ANY($1::text[])", [PostgresArrays.text(numbers)], on: connection)
    }

    /// Places the documents of a session that has just opened: those that name it, and those of its terminal made
    /// since it opened that name none.
    @discardableResult
    static func assign(openedSession event: TillOpenedV1, on connection: PostgresConnection) throws -> [Int64] {
        try assign(
            where: """
                d.store_id = $1 AND d.terminal_id = $2
                AND (d.till_session_id = $3 OR (d.till_session_id IS NULL AND d.occurred_at >= $4::text::timestamptz))
                """, [event.storeId, event.terminalId, event.sessionId, event.openedAt], on: connection)
    }

    /// Places the unplaced documents that `condition` (over `till_documents d`) picks: each in the session it names,
    /// or the latest its terminal opened before it was made and had not closed by then.
    private static func assign(where condition: String, _ parameters: [any PostgresEncodable], on connection: PostgresConnection) throws -> [Int64] {
        Array(Set(try connection.query(
            """
            UPDATE till_documents d SET session = s.id, late = s.z_number IS NOT NULL
            FROM till_sessions s
            WHERE d.session IS NULL AND \(condition)
              AND s.id = (
                SELECT c.id FROM till_sessions c
                WHERE c.store_id = d.store_id AND c.terminal_id = d.terminal_id
                  AND CASE WHEN d.till_session_id IS NOT NULL THEN c.session_id = d.till_session_id
                      ELSE c.opened_at <= d.occurred_at AND (c.closed_at IS NULL OR d.occurred_at <= c.closed_at) END
                ORDER BY c.opened_at DESC, c.id DESC LIMIT 1)
            RETURNING s.id
            """, parameters
        ).map { try $0.decode(Int64.self, at: 0) }))
    }

    // MARK: Z reports

    /// Issues the Z report of each of `sessions` that is closed, not yet reported, and complete: it holds the receipts
    /// the terminal declared, or the settle time has passed since its close arrived.
    static func reportIfComplete(_ sessions: [Int64], settle: Duration, on connection: PostgresConnection) throws {
        guard !sessions.isEmpty else { return }
        let due = try connection.query(
            """
            SELECT s.id FROM till_sessions s
            WHERE s.id = ANY($1::bigint[]) AND s.closed_at IS NOT NULL AND s.z_number IS NULL
              AND (s.closed_received_at <= now() - make_interval(secs => $2::bigint)
                   OR (s.declared_receipts IS NOT NULL
                       AND (SELECT count(*) FROM till_documents d WHERE d.session = s.id AND NOT d.late) >= s.declared_receipts))
            ORDER BY s.id FOR UPDATE
            """, [PostgresArrays.bigint(sessions.sorted()), Int64(settle.components.seconds)])
        for row in due { try issue(session: try row.decode(Int64.self, at: 0), on: connection) }
    }

    /// The closed sessions whose settle time is over, reported; returns how many.
    static func reportSettled(settle: Duration, on connection: PostgresConnection) throws -> Int {
        let waiting = try connection.query(
            "SELECT id FROM till_sessions WHERE closed_at IS NOT NULL AND z_number IS NULL AND closed_received_at <= now() - make_interval(secs => $1::bigint)",
            [Int64(settle.components.seconds)]
        ).map { try $0.decode(Int64.self, at: 0) }
        try reportIfComplete(waiting, settle: settle, on: connection)
        return waiting.count
    }

    /// Numbers the session's Z report in its terminal's series (gapless: the counter row is locked until commit),
    /// stores it as issued, and announces `till.reconciled`.
    private static func issue(session id: Int64, on connection: PostgresConnection) throws {
        let row = try connection.query(
            """
            SELECT session_id, store_id, terminal_id, to_char(business_date, 'YYYY-MM-DD'), cashier_id, opened_text, closed_text,
                opening_float_cents, counted_cash_cents, card_total_cents, voucher_total_cents, declared_receipts,
                to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                (SELECT coalesce(sum(amount_cents) FILTER (WHERE amount_cents > 0), 0) FROM till_cash_moves WHERE session = $1),
                (SELECT coalesce(sum(amount_cents) FILTER (WHERE amount_cents < 0), 0) FROM till_cash_moves WHERE session = $1)
            FROM till_sessions WHERE id = $1
            """, [id])[0]
        let session = ZReport.Session(
            sessionId: try row.decode(at: 0), storeId: try row.decode(at: 1), terminalId: try row.decode(at: 2), businessDate: try row.decode(at: 3),
            cashierId: try row.decodeIfPresent(String.self, at: 4), openedAt: try row.decode(at: 5), closedAt: try row.decode(at: 6),
            openingFloatCents: try row.decode(at: 7), countedCashCents: try row.decode(at: 8), cardTotalCents: try row.decode(at: 9),
            voucherTotalCents: try row.decode(at: 10), declaredReceipts: try row.decodeIfPresent(Int64.self, at: 11),
            cashMoves: [try row.decode(Int64.self, at: 13), try row.decode(Int64.self, at: 14)])
        let issuedAt: String = try row.decode(at: 12)
        let documents = try self.documents(session: id, late: false, on: connection)
        let zNumber: Int64 = try connection.query(
            """
            INSERT INTO till_z_counters (store_id, terminal_id, last) VALUES ($1, $2, 1)
            ON CONFLICT (store_id, terminal_id) DO UPDATE SET last = till_z_counters.last + 1 RETURNING last
            """, [session.storeId, session.terminalId])[0].decode(at: 0)
        let report = ZReport(zNumber: zNumber, issuedAt: issuedAt, session: session, documents: documents)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = String(decoding: try encoder.encode(report), as: UTF8.self)
        try connection.query(
            "UPDATE till_sessions SET z_number = $2, z_issued_at = now(), z_report = $3 WHERE id = $1", [id, zNumber, text])
        try Outbox.add(
            report.reconciled, exchange: Exchanges.collectionsEvents.name, routingKey: "till.reconciled.\(session.storeId).\(session.terminalId)",
            type: TillReconciledV1.messageType, on: connection)
    }

    /// The session's documents: those in its report (`late` false) or those that came after it.
    static func documents(session: Int64, late: Bool, on connection: PostgresConnection) throws -> [ZReport.Document] {
        let decoder = JSONDecoder()
        return try connection.query(
            """
            SELECT invoice_number, kind, receipt_number, total_cents, payments::text, taxes::text
            FROM till_documents WHERE session = $1 AND late = $2 ORDER BY receipt_number, invoice_number
            """, [session, late]
        ).map { row in
            ZReport.Document(
                invoiceNumber: try row.decode(at: 0), kind: try row.decode(at: 1), receiptNumber: try row.decode(at: 2), totalCents: try row.decode(at: 3),
                payments: try decoder.decode([InvoiceIssuedV1.Payment].self, from: Data(try row.decode(String.self, at: 4).utf8)),
                taxes: try decoder.decode([ZReport.Tax].self, from: Data(try row.decode(String.self, at: 5).utf8)))
        }
    }

    private struct SessionRow {
        var id: Int64
        var zNumber: Int64?
    }

    private static func session(_ sessionId: String, store: String, terminal: String, on connection: PostgresConnection) throws -> SessionRow {
        guard let row = try connection.query(
            "SELECT id, z_number FROM till_sessions WHERE store_id = $1 AND terminal_id = $2 AND session_id = $3 FOR UPDATE",
            [store, terminal, sessionId]
        ).first else {
            throw TillRefusal("till.unknown_session", "terminal \(terminal) of \(store) has not opened session \(sessionId) (replay this after its till.opened)")
        }
        return SessionRow(id: try row.decode(at: 0), zNumber: try row.decodeIfPresent(Int64.self, at: 1))
    }
}

/// Why a till event cannot be recorded: dead-lettered with this code and reason.
struct TillRefusal: Error {
    var code: String
    var reason: String
    /// A database failure to retry rather than a refusal.
    var underlying: (any Error)?

    init(_ code: String, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    static func failed(_ error: any Error) -> TillRefusal {
        var refusal = TillRefusal("", "")
        refusal.underlying = error
        return refusal
    }
}
