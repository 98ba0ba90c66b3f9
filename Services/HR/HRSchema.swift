import Contracts
import PostgresClient
import ServiceRuntime

/// The `hr` schema: employees (personal data: no other service's role is granted anything here), shifts from the
/// tills, sales per employee and day, announcements and their read receipts, and the outbox.
enum HRSchema {
    static let migrations: [Migration] = [
        CommonMigrations.handledMessages,
        Migration(
            2, "employees, shifts, sales per employee",
            """
            REVOKE ALL ON SCHEMA hr FROM PUBLIC;
            CREATE TABLE employees (
                id text COLLATE "C" PRIMARY KEY,
                name text NOT NULL,
                role text NOT NULL,
                stores text[] NOT NULL,
                start_date date NOT NULL,
                end_date date,
                active boolean NOT NULL DEFAULT true,
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE TABLE shifts (
                shift_id text COLLATE "C" PRIMARY KEY,
                employee_id text COLLATE "C" NOT NULL,
                store_id text COLLATE "C" NOT NULL,
                terminal_id text NOT NULL,
                day date,
                opened_at timestamptz,
                closed_at timestamptz,
                flags text[] NOT NULL DEFAULT '{}'
            );
            CREATE INDEX shifts_by_employee ON shifts (employee_id, day);
            CREATE TABLE sales_credited (sale_id uuid PRIMARY KEY);
            CREATE TABLE employee_sales (
                employee_id text COLLATE "C" NOT NULL,
                day date NOT NULL,
                sales integer NOT NULL,
                returns integer NOT NULL,
                amount_cents bigint NOT NULL,
                PRIMARY KEY (employee_id, day)
            );
            CREATE TABLE stores_seen (store_id text COLLATE "C" PRIMARY KEY);
            """),
        Migration(
            3, "announcements",
            """
            CREATE TABLE announcements (
                id text COLLATE "C" PRIMARY KEY,
                title text NOT NULL,
                body text NOT NULL,
                priority text NOT NULL,
                stores text[] NOT NULL,
                roles text[],
                published_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE TABLE read_receipts (
                announcement_id text COLLATE "C" NOT NULL,
                employee_id text COLLATE "C" NOT NULL,
                store_id text NOT NULL,
                read_at text NOT NULL,
                PRIMARY KEY (announcement_id, employee_id)
            );
            """),
        Outbox.migration(4),
        Outbox.traceMigration(5),
    ]
}
