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
        Migration(
            6, "transfers, suppliers, purchase orders",
            """
            ALTER TABLE stock ADD COLUMN in_transit bigint NOT NULL DEFAULT 0;
            ALTER TABLE reorder_rules ADD COLUMN transfer_from text COLLATE "C";
            ALTER TABLE replenishments ADD COLUMN source text NOT NULL DEFAULT 'purchase';
            CREATE TABLE transfers (
                id bigserial PRIMARY KEY,
                from_store text COLLATE "C" NOT NULL,
                to_store text COLLATE "C" NOT NULL,
                status text NOT NULL DEFAULT 'draft',
                replenishment_id bigint REFERENCES replenishments,
                note text,
                created_at timestamptz NOT NULL DEFAULT now(),
                shipped_at timestamptz,
                received_at timestamptz,
                CHECK (from_store <> to_store)
            );
            CREATE INDEX transfers_by_store ON transfers (from_store, to_store, id);
            CREATE TABLE transfer_lines (
                transfer_id bigint NOT NULL REFERENCES transfers,
                sku text COLLATE "C" NOT NULL,
                quantity bigint NOT NULL CHECK (quantity > 0),
                received bigint,
                PRIMARY KEY (transfer_id, sku)
            );
            CREATE TABLE stock_incidents (
                id bigserial PRIMARY KEY,
                store_id text COLLATE "C" NOT NULL,
                sku text COLLATE "C" NOT NULL,
                reference text NOT NULL,
                expected bigint NOT NULL,
                received bigint NOT NULL,
                difference bigint NOT NULL,
                at timestamptz NOT NULL DEFAULT now()
            );
            CREATE TABLE suppliers (
                id text COLLATE "C" PRIMARY KEY,
                name text NOT NULL,
                email text
            );
            CREATE TABLE supplier_skus (
                supplier_id text COLLATE "C" NOT NULL REFERENCES suppliers,
                sku text COLLATE "C" NOT NULL,
                supplier_code text NOT NULL,
                pack_size bigint NOT NULL CHECK (pack_size > 0),
                lead_time_days integer NOT NULL CHECK (lead_time_days >= 0),
                price_cents bigint NOT NULL CHECK (price_cents >= 0),
                PRIMARY KEY (supplier_id, sku)
            );
            CREATE INDEX supplier_skus_by_sku ON supplier_skus (sku);
            CREATE TABLE purchase_orders (
                id bigserial PRIMARY KEY,
                supplier_id text COLLATE "C" NOT NULL REFERENCES suppliers,
                store_id text COLLATE "C" NOT NULL,
                status text NOT NULL DEFAULT 'draft',
                created_at timestamptz NOT NULL DEFAULT now(),
                issued_at timestamptz,
                expected_on date,
                received_at timestamptz
            );
            CREATE TABLE purchase_order_lines (
                order_id bigint NOT NULL REFERENCES purchase_orders,
                sku text COLLATE "C" NOT NULL,
                supplier_code text NOT NULL,
                quantity bigint NOT NULL,
                pack_size bigint NOT NULL,
                unit_price_cents bigint NOT NULL,
                lead_time_days integer NOT NULL,
                received bigint NOT NULL DEFAULT 0,
                replenishment_id bigint REFERENCES replenishments,
                PRIMARY KEY (order_id, sku)
            );
            CREATE TABLE purchase_deliveries (
                id bigserial PRIMARY KEY,
                order_id bigint NOT NULL REFERENCES purchase_orders,
                note text,
                lines jsonb NOT NULL,
                received_at timestamptz NOT NULL DEFAULT now()
            );
            ALTER TABLE replenishments ADD COLUMN purchase_order_id bigint REFERENCES purchase_orders;
            """),
    ]
}
