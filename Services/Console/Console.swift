import AMQPClient
import Foundation
import PostgresClient
import ServiceRuntime

/// The console: the web application the back-office staff work in. It signs people in itself (accounts and sessions
/// in its schema) and reads and acts only through the five services' HTTP APIs, with a short-lived token minted for
/// the person's roles and stores, so that each service enforces its own rules.
enum Console {
    static func definition(settings: ConsoleSettings) -> ServiceDefinition {
        var definition = ServiceDefinition(
            name: "console", defaultHTTPPort: 8080, schema: "console", migrations: migrations, topology: Topology(),
            routes: { router, context in
                let pages = Pages(settings: settings, database: context.database, amqp: context.configuration.amqp, logger: context.logger)
                pages.add(to: router)
            })
        definition.signsInItself = true
        return definition
    }

    static let migrations = [
        Migration(
            1, "accounts and sessions",
            """
                CREATE TABLE accounts (
                    username text COLLATE "C" PRIMARY KEY CHECK (username ~ '^[a-z0-9._-]{1,40}$'),
                    name text NOT NULL,
                    password_hash text NOT NULL,
                    roles text[] NOT NULL,
                    stores text[],
                    failed_attempts integer NOT NULL DEFAULT 0,
                    locked_until timestamptz,
                    created_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE TABLE sessions (
                    id text COLLATE "C" PRIMARY KEY,
                    username text COLLATE "C" NOT NULL REFERENCES accounts ON DELETE CASCADE,
                    csrf text NOT NULL,
                    expires_at timestamptz NOT NULL
                );
                CREATE INDEX sessions_expiry ON sessions (expires_at);
                """),
    ]
}
