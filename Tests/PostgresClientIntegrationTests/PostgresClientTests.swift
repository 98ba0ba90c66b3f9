import Foundation
import Logging
import PostgresClient
import Synchronization
import Testing
import TrastiendaTesting

@Suite("PostgreSQL client against a real PostgreSQL")
struct PostgresClientTests {
    @Test("parameters, typed rows and nulls")
    func parametersAndRows() async throws {
        try await TestInfrastructure.withSchema { database, _ in
            try await database.query("CREATE TABLE things (id bigint PRIMARY KEY, name text NOT NULL, note text, ok boolean)")
            try await database.query(
                "INSERT INTO things (id, name, note, ok) VALUES ($1, $2, $3, $4), ($5, $6, $7, $8)",
                [Int64(1), "one", String?.none, true, Int64(9_000_000_000), "nine", "n", false])
            let rows = try await database.query("SELECT id, name, note, ok FROM things ORDER BY id")
            #expect(rows.count == 2)
            #expect(try rows[0].decode(Int64.self, column: "id") == 1)
            #expect(try rows[0].decodeIfPresent(String.self, column: "note") == nil)
            #expect(try rows[0].decode(Bool.self, column: "ok"))
            #expect(try rows[1].decode(Int64.self, at: 0) == 9_000_000_000)
            #expect(throws: PostgresError.self) { try rows[0].decode(String.self, column: "note") }
            #expect(throws: PostgresError.self) { try rows[0].decode(Int.self, column: "name") }
        }
    }

    @Test("work whose caller is cancelled before a connection takes it does not run and throws CancellationError; work already running finishes", .timeLimit(.minutes(1)))
    func cancelledWorkDoesNotRun() async throws {
        try await TestInfrastructure.withSchema { shared, _ in
            var configuration = shared.configuration
            configuration.poolSize = 1
            let database = Database(configuration, logger: Logger(label: "test"))
            defer { database.close() }
            let ran = Flag()
            let started = Flag()
            let gate = DispatchSemaphore(value: 0)
            // The pool's one connection is busy until the test opens the gate.
            let busy = Task { try await database.withConnection { _ in started.raise(); gate.wait() } }
            #expect(await eventually { started.isRaised })
            let waiting = Task { try await database.withConnection { _ in ran.raise() } }
            try await Task.sleep(for: .milliseconds(50))
            waiting.cancel()
            await #expect(throws: CancellationError.self) { try await waiting.value }  // while the connection is still busy
            gate.signal()
            try await busy.value
            #expect(try await database.query("SELECT 1").first?.decode(Int.self, at: 0) == 1)
            #expect(!ran.isRaised)
        }
    }

    @Test("a value holding SQL is stored and read back verbatim")
    func sqlInjectionIsJustData() async throws {
        try await TestInfrastructure.withSchema { database, _ in
            try await database.query("CREATE TABLE x (value text)")
            let hostile = "'); drop table x; --"
            try await database.query("INSERT INTO x (value) VALUES ($1)", [hostile])
            let rows = try await database.query("SELECT value FROM x WHERE value = $1", [hostile])
            #expect(rows.count == 1)
            #expect(try rows[0].decode(String.self, at: 0) == hostile)
            try await database.copy(into: "x", columns: ["value"], rows: [[hostile + "\t\\\n"]])
            #expect(try await database.query("SELECT count(*) FROM x").first?.decode(Int.self, at: 0) == 2)
            #expect(try await database.query("SELECT value FROM x WHERE value <> $1", [hostile]).first?.decode(String.self, at: 0) == hostile + "\t\\\n")
        }
    }

    @Test("COPY of 10,000 rows, with nulls and escapes, lands every row")
    func copyTenThousandRows() async throws {
        try await TestInfrastructure.withSchema { database, schema in
            try await database.query("CREATE TABLE sales (id bigint PRIMARY KEY, store text NOT NULL, total bigint NOT NULL, note text)")
            let rows: [[any PostgresEncodable]] = (0..<10_000).map { (index: Int) -> [any PostgresEncodable] in
                let note: String? = index % 10 == 0 ? nil : "tab\there \\ line\nend"
                return [Int64(index), "S\(index % 7)", Int64(index * 3), note]
            }
            let written = try await database.copy(into: "\(schema).sales", columns: ["id", "store", "total", "note"], rows: rows)
            #expect(written == 10_000)
            let summary = try await database.query("SELECT count(*), sum(total), count(note) FROM sales")
            #expect(try summary[0].decode(Int.self, at: 0) == 10_000)
            #expect(try summary[0].decode(Int64.self, at: 1) == (0..<10_000).reduce(0) { $0 + Int64($1 * 3) })
            #expect(try summary[0].decode(Int.self, at: 2) == 9_000)
            let note = try await database.query("SELECT note FROM sales WHERE id = 1")
            #expect(try note[0].decode(String.self, at: 0) == "tab\there \\ line\nend")
        }
    }

    @Test("a binary COPY sent while written lands every row across many chunks; one abandoned midway leaves nothing and the connection usable")
    func streamingCopy() async throws {
        try await TestInfrastructure.withSchema { database, schema in
            try await database.query("CREATE TABLE notes (id bigint PRIMARY KEY, body text NOT NULL)")
            let body = String(repeating: "ñ", count: 700)  // 1,400 bytes: 5,000 rows make about a hundred 64 kB chunks
            struct Abort: Error {}
            /// Streams a row of `text` for each of `ids` in a transaction of its own; `abort` throws after the last.
            func copy(_ ids: ClosedRange<Int64>, _ text: String, abort: Bool = false) async throws -> Int {
                try await database.transaction { connection in
                    try connection.copyStreaming(into: "\(schema).notes", columns: ["id", "body"]) { stream in
                        for id in ids {
                            stream.rows.startRow(fields: 2)
                            stream.rows.append(bigint: id)
                            stream.rows.append(text: text)
                            try stream.rowEnded()
                        }
                        if abort { throw Abort() }
                    }
                }
            }
            #expect(try await copy(1...5_000, body) == 5_000)
            let summary = try await database.query("SELECT count(*), sum(id), min(body) = max(body) AND min(body) = $1 FROM notes", [body])
            #expect(try summary[0].decode(Int.self, at: 0) == 5_000)
            #expect(try summary[0].decode(Int64.self, at: 1) == 12_502_500)
            #expect(try summary[0].decode(Bool.self, at: 2))
            await #expect(throws: Abort.self) { _ = try await copy(10_001...12_000, body, abort: true) }
            #expect(try await database.query("SELECT count(*) FROM notes")[0].decode(Int.self, at: 0) == 5_000)
            let duplicate = await #expect(throws: PostgresError.self) { _ = try await copy(1...1, "again") }
            #expect(duplicate?.isUniqueViolation == true)
            #expect(try await database.query("SELECT count(*) FROM notes")[0].decode(Int.self, at: 0) == 5_000)
        }
    }

    @Test("a transaction that throws is rolled back; one that returns is committed")
    func transactions() async throws {
        try await TestInfrastructure.withSchema { database, _ in
            try await database.query("CREATE TABLE t (id int PRIMARY KEY)")
            struct Abort: Error {}
            await #expect(throws: Abort.self) {
                try await database.transaction { connection in
                    try connection.query("INSERT INTO t VALUES (1)")
                    throw Abort()
                }
            }
            try await database.transaction { connection in try connection.query("INSERT INTO t VALUES (2)") }
            let error = await #expect(throws: PostgresError.self) {
                try await database.query("INSERT INTO t VALUES (2)")
            }
            #expect(error?.isUniqueViolation == true)
            let ids = try await database.query("SELECT id FROM t").map { try $0.decode(Int.self, at: 0) }
            #expect(ids == [2])
        }
    }

    @Test("two migrators racing on one schema leave it migrated once")
    func racingMigrations() async throws {
        let schema = TestInfrastructure.uniqueName("migrate")
        let migrations = [
            Migration(1, "create things", "CREATE TABLE things (id bigint PRIMARY KEY)"),
            Migration(2, "add name", "ALTER TABLE things ADD COLUMN name text NOT NULL DEFAULT ''"),
            Migration(3, "seed", "INSERT INTO things (id, name) VALUES (1, 'first')"),
        ]
        let first = Database(.init(url: TestInfrastructure.databaseURL, poolSize: 1), logger: TestInfrastructure.logger)
        let second = Database(.init(url: TestInfrastructure.databaseURL, poolSize: 1), logger: TestInfrastructure.logger)
        defer {
            first.close()
            second.close()
        }
        async let a = first.migrate(schema: schema, migrations, logger: TestInfrastructure.logger)
        async let b = second.migrate(schema: schema, migrations, logger: TestInfrastructure.logger)
        let (appliedA, appliedB) = try await (a, b)
        #expect((appliedA + appliedB).sorted() == [1, 2, 3], "each migration applied by exactly one of them")
        let quoted = PostgresIdentifier.quote(schema)
        #expect(try await first.query("SELECT count(*) FROM \(quoted).things")[0].decode(Int.self, at: 0) == 1)
        #expect(try await first.query("SELECT count(*) FROM \(quoted).schema_migrations")[0].decode(Int.self, at: 0) == 3)
        // Running again applies nothing.
        #expect(try await first.migrate(schema: schema, migrations, logger: TestInfrastructure.logger).isEmpty)
        try await first.query("DROP SCHEMA \(quoted) CASCADE")
    }

    @Test("a connection killed by the server is replaced before the next query")
    func reconnects() async throws {
        try await TestInfrastructure.withSchema { database, _ in
            let pid = try await database.withConnection { connection in
                try connection.query("SELECT pg_backend_pid()")[0].decode(Int.self, at: 0)
            }
            let admin = Database(.init(url: TestInfrastructure.databaseURL, poolSize: 1), logger: TestInfrastructure.logger)
            defer { admin.close() }
            try await admin.query("SELECT pg_terminate_backend($1)", [pid])
            // Work on the pool keeps succeeding: at worst one statement meets the dead connection.
            var successes = 0
            for _ in 0..<6 where (try? await database.query("SELECT 1")) != nil { successes += 1 }
            #expect(successes >= 5)
        }
    }
}

private final class Flag: Sendable {
    private let raised = Mutex(false)
    func raise() { raised.withLock { $0 = true } }
    var isRaised: Bool { raised.withLock { $0 } }
}
