import Contracts
import PostgresClient
import ServiceRuntime

/// The `collections` schema: customers with their payment terms and credit, receivables, payments and how they were
/// allocated, each customer's account (what a statement lists), the documents billing cancelled, dunning levels and
/// the notices raised, notes from customer care, the clock, and the outbox.
enum CollectionsSchema {
    static let migrations: [Migration] = [
        CommonMigrations.handledMessages,
        Migration(
            2, "customers, receivables, payments, accounts",
            """
            CREATE TABLE customers (
                tax_id text COLLATE "C" PRIMARY KEY,
                name text,
                payment_terms_days integer NOT NULL DEFAULT 30,
                credit_cents bigint NOT NULL DEFAULT 0
            );
            CREATE TABLE receivables (
                id bigserial PRIMARY KEY,
                invoice_number text COLLATE "C" NOT NULL UNIQUE,
                customer_tax_id text COLLATE "C" NOT NULL REFERENCES customers,
                store_id text COLLATE "C" NOT NULL,
                issue_date date NOT NULL,
                due_date date NOT NULL,
                amount_cents bigint NOT NULL,
                paid_cents bigint NOT NULL DEFAULT 0,
                status text NOT NULL DEFAULT 'open',
                overdue_announced boolean NOT NULL DEFAULT false,
                written_off_reason text,
                closed_at timestamptz
            );
            CREATE INDEX receivables_open_by_customer ON receivables (customer_tax_id, due_date, id) WHERE status = 'open';
            CREATE TABLE payments (
                id text COLLATE "C" PRIMARY KEY,
                customer_tax_id text COLLATE "C" NOT NULL REFERENCES customers,
                amount_cents bigint NOT NULL,
                invoice_number text,
                received_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE TABLE allocations (
                id bigserial PRIMARY KEY,
                receivable_id bigint NOT NULL REFERENCES receivables,
                payment_id text REFERENCES payments,
                amount_cents bigint NOT NULL
            );
            CREATE TABLE account_entries (
                id bigserial PRIMARY KEY,
                customer_tax_id text COLLATE "C" NOT NULL REFERENCES customers,
                kind text NOT NULL,
                reference text NOT NULL,
                amount_cents bigint NOT NULL,
                at timestamptz NOT NULL DEFAULT now(),
                UNIQUE (kind, reference)
            );
            """),
        Migration(
            3, "dunning, notes, clock",
            """
            CREATE TABLE dunning_levels (
                level integer PRIMARY KEY,
                days_overdue integer NOT NULL UNIQUE,
                name text NOT NULL,
                template text NOT NULL
            );
            INSERT INTO dunning_levels VALUES
                (1, 7, 'reminder', 'Dear {customer}, invoice {invoice} for {outstanding} EUR was due on {due} and is {days} days overdue.'),
                (2, 30, 'second notice', 'Dear {customer}, invoice {invoice} ({outstanding} EUR) is {days} days overdue. Please pay it now.'),
                (3, 60, 'final notice', 'Dear {customer}, invoice {invoice} ({outstanding} EUR) is {days} days overdue. This is our final notice.');
            CREATE TABLE dunning_notices (
                receivable_id bigint NOT NULL REFERENCES receivables,
                level integer NOT NULL,
                name text NOT NULL,
                raised_on date NOT NULL,
                message text NOT NULL,
                PRIMARY KEY (receivable_id, level)
            );
            CREATE TABLE notes (
                id bigserial PRIMARY KEY,
                customer_tax_id text COLLATE "C" NOT NULL REFERENCES customers,
                author text NOT NULL,
                text text NOT NULL,
                at timestamptz NOT NULL DEFAULT now()
            );
            CREATE TABLE clock (singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton), today date NOT NULL);
            """),
        Outbox.migration(4),
        Outbox.traceMigration(5),
        Migration(
            6, "till sessions, their documents and Z reports",
            """
            CREATE TABLE till_sessions (
                id bigserial PRIMARY KEY,
                store_id text COLLATE "C" NOT NULL,
                terminal_id text COLLATE "C" NOT NULL,
                session_id text COLLATE "C" NOT NULL,
                business_date date NOT NULL,
                opened_at timestamptz NOT NULL,
                opened_text text NOT NULL,
                opening_float_cents bigint NOT NULL,
                cashier_id text,
                closed_at timestamptz,
                closed_text text,
                closed_received_at timestamptz,
                counted_cash_cents bigint,
                card_total_cents bigint,
                voucher_total_cents bigint,
                declared_receipts bigint,
                z_number bigint,
                z_issued_at timestamptz,
                z_report text,
                UNIQUE (store_id, terminal_id, session_id),
                UNIQUE (store_id, terminal_id, z_number)
            );
            CREATE INDEX till_sessions_by_terminal ON till_sessions (store_id, terminal_id, opened_at);
            CREATE INDEX till_sessions_to_report ON till_sessions (closed_received_at) WHERE closed_at IS NOT NULL AND z_number IS NULL;
            CREATE INDEX till_sessions_by_day ON till_sessions (store_id, business_date);
            CREATE TABLE till_z_counters (
                store_id text COLLATE "C" NOT NULL,
                terminal_id text COLLATE "C" NOT NULL,
                last bigint NOT NULL,
                PRIMARY KEY (store_id, terminal_id)
            );
            CREATE TABLE till_cash_moves (
                session bigint NOT NULL REFERENCES till_sessions,
                move_id text COLLATE "C" NOT NULL,
                moved_at timestamptz NOT NULL,
                amount_cents bigint NOT NULL,
                reason text NOT NULL,
                PRIMARY KEY (session, move_id)
            );
            CREATE TABLE till_documents (
                invoice_number text COLLATE "C" PRIMARY KEY,
                kind text NOT NULL,
                store_id text COLLATE "C" NOT NULL,
                terminal_id text COLLATE "C" NOT NULL,
                till_session_id text COLLATE "C",
                occurred_at timestamptz NOT NULL,
                occurred_text text NOT NULL,
                receipt_number bigint NOT NULL,
                total_cents bigint NOT NULL,
                payments jsonb NOT NULL,
                taxes jsonb NOT NULL,
                session bigint REFERENCES till_sessions,
                late boolean NOT NULL DEFAULT false,
                arrived_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX till_documents_by_session ON till_documents (session, late);
            CREATE INDEX till_documents_unassigned ON till_documents (store_id, terminal_id, occurred_at) WHERE session IS NULL;
            """),
        Migration(
            7, "cancelled invoices and credit notes",
            """
            CREATE TABLE cancelled_documents (
                invoice_number text COLLATE "C" PRIMARY KEY,
                reason text NOT NULL,
                cancelled_at timestamptz NOT NULL DEFAULT now()
            );
            """),
    ]
}
