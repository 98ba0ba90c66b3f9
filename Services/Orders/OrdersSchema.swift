import Contracts
import PostgresClient
import ServiceRuntime

/// The `orders` schema: the stock ledger and levels, reorder rules and replenishments, customer orders with their
/// history and incidents, and the outbox.
enum OrdersSchema {
    static let migrations: [Migration] = [
        CommonMigrations.handledMessages,
        Migration(
            2, "stock ledger, reorder rules, replenishments",
            """
            CREATE TABLE stock (
                store_id text COLLATE "C" NOT NULL,
                sku text COLLATE "C" NOT NULL,
                on_hand bigint NOT NULL DEFAULT 0,
                reserved bigint NOT NULL DEFAULT 0,
                PRIMARY KEY (store_id, sku)
            );
            CREATE TABLE movements (
                id bigserial PRIMARY KEY,
                store_id text COLLATE "C" NOT NULL,
                sku text COLLATE "C" NOT NULL,
                kind text NOT NULL,
                on_hand_change bigint NOT NULL,
                reserved_change bigint NOT NULL,
                reference text NOT NULL,
                at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX movements_by_sku ON movements (store_id, sku, id);
            CREATE TABLE sales_moved (sale_id uuid PRIMARY KEY);
            CREATE TABLE reorder_rules (
                store_id text COLLATE "C" NOT NULL,
                sku text COLLATE "C" NOT NULL,
                minimum bigint NOT NULL,
                maximum bigint NOT NULL,
                multiple bigint NOT NULL,
                PRIMARY KEY (store_id, sku)
            );
            CREATE TABLE replenishments (
                id bigserial PRIMARY KEY,
                store_id text COLLATE "C" NOT NULL,
                sku text COLLATE "C" NOT NULL,
                quantity bigint NOT NULL,
                status text NOT NULL DEFAULT 'open',
                requested_at timestamptz NOT NULL DEFAULT now(),
                received_at timestamptz,
                received_quantity bigint
            );
            CREATE UNIQUE INDEX one_open_replenishment ON replenishments (store_id, sku) WHERE status = 'open';
            """),
        Migration(
            3, "customer orders",
            """
            CREATE TABLE orders (
                id text COLLATE "C" PRIMARY KEY,
                store_id text COLLATE "C" NOT NULL,
                customer jsonb NOT NULL,
                status text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX orders_by_store_and_status ON orders (store_id, status);
            CREATE TABLE order_lines (
                order_id text COLLATE "C" NOT NULL REFERENCES orders,
                line integer NOT NULL,
                sku text COLLATE "C" NOT NULL,
                quantity bigint NOT NULL,
                PRIMARY KEY (order_id, line)
            );
            CREATE TABLE order_history (
                order_id text COLLATE "C" NOT NULL REFERENCES orders,
                id bigserial,
                event text NOT NULL,
                status text NOT NULL,
                note text,
                at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (order_id, id)
            );
            """),
        Outbox.migration(4),
        Outbox.traceMigration(5),
    ]
}
