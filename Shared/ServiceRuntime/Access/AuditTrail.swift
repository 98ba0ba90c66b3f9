import Foundation
import Hummingbird
import PostgresClient

/// Every privileged action (an issuer or its stores changed, a cancellation, a write-off, a stock adjustment, the
/// clock moved, an employee's account or role changed…) is recorded in the owning service's schema, in the action's
/// own transaction: who (the token's subject), when, what, on what, and the request's trace id. The table is
/// append-only, the service's own role included; `GET /audit` (admin, auditor) reads it, newest first, in pages.
package enum AuditTrail {
    /// Every service's schema has it (a version of its own, after any service's).
    package static let migration = Migration(
        1000, "the audit trail",
        """
        CREATE TABLE audit_trail (
            id bigserial PRIMARY KEY,
            at timestamptz NOT NULL DEFAULT now(),
            subject text NOT NULL,
            action text NOT NULL,
            target text NOT NULL,
            details text NOT NULL DEFAULT '',
            trace_id text
        );
        CREATE FUNCTION audit_trail_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the audit trail is append-only: % is refused', TG_OP USING ERRCODE = '42501';
        END $$;
        CREATE TRIGGER audit_trail_append_only BEFORE UPDATE OR DELETE ON audit_trail FOR EACH ROW EXECUTE FUNCTION audit_trail_refuse_change();
        CREATE TRIGGER audit_trail_never_truncated BEFORE TRUNCATE ON audit_trail FOR EACH STATEMENT EXECUTE FUNCTION audit_trail_refuse_change();
        """)

    /// Who acts, as the request's token and trace say; taken in the handler (before a transaction's closure, which
    /// runs on a database thread where the request's task-local values are not).
    package struct Actor: Sendable {
        package var subject: String
        package var traceId: String?

        package static var current: Actor { Actor(subject: Caller.current?.subject ?? "system", traceId: Caller.traceId) }
    }

    /// Records `action` on `target` by `actor`, in the caller's transaction.
    package static func record(_ action: String, target: String, details: String = "", by actor: Actor, on connection: PostgresConnection) throws {
        try connection.query(
            "INSERT INTO audit_trail (subject, action, target, details, trace_id) VALUES ($1, $2, $3, $4, $5)",
            [actor.subject, action, target, details, actor.traceId])
    }

    /// `GET /audit?limit=100&after=<cursor>`: entries newest first, in pages.
    static func addRoute(to router: Router<BasicRequestContext>, database: Database) {
        router.get("/audit") { request, _ in
            let page = try PageRequest.read(request, keys: 1)
            let before = page.after.flatMap { Int64($0[0]) } ?? Int64.max
            let rows = try await database.query(
                """
                SELECT json_build_object('id', id, 'at', to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'subject', subject,
                    'action', action, 'target', target, 'details', details, 'traceId', trace_id)::text, id::text
                FROM audit_trail WHERE id < $1 ORDER BY id DESC LIMIT $2
                """, [before, page.limit + 1])
            return page.response(try rows.map { (try $0.decode(String.self, at: 0), [try $0.decode(String.self, at: 1)]) })
        }
    }
}
