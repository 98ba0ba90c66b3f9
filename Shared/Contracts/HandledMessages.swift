import PostgresClient

/// The first migration of every service's schema: the table of message ids already handled, which makes a consumer
/// idempotent where a message has no natural key of its own.
package enum CommonMigrations {
    package static let handledMessages = Migration(
        1, "handled messages",
        """
        CREATE TABLE handled_messages (
            message_id text PRIMARY KEY,
            handled_at timestamptz NOT NULL DEFAULT now()
        )
        """)
}
