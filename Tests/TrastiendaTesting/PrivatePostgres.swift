import Foundation

/// A PostgreSQL server of one test's own (its own data folder and port), for tests that stop and start the database:
/// the shared one serves every other test running at the same time.
package final class PrivatePostgres: Sendable {
    package let port: Int
    private let directory: String

    /// The URL of its `postgres` database, as the superuser (trust authentication on 127.0.0.1 only).
    package var url: String { "postgres://postgres@127.0.0.1:\(port)/postgres" }

    /// Creates the cluster and starts the server (initdb refuses root, so both run as user `postgres` when the test
    /// runs as root, as `scripts/infra.sh` does).
    package init() throws {
        port = TestInfrastructure.freePort()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("trastienda-pg-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if getuid() == 0 { try Self.shell("chown postgres '\(directory)'") }
        try asPostgres("initdb -D '\(directory)/data' -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null")
        try start()
    }

    package func start() throws {
        try asPostgres(
            "pg_ctl -D '\(directory)/data' -l '\(directory)/log' -w -t 60 -o \"-p \(port) -c listen_addresses=127.0.0.1 -k '\(directory)'\" start >/dev/null")
    }

    package func stop() throws {
        try asPostgres("pg_ctl -D '\(directory)/data' -m fast -w stop >/dev/null")
    }

    deinit {
        try? asPostgres("pg_ctl -D '\(directory)/data' -m immediate -w stop >/dev/null 2>&1")
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func asPostgres(_ command: String) throws {
        let path = "PATH=$PATH:$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -1)"
        if getuid() == 0 {
            try Self.shell("cd / && su postgres -s /bin/sh -c \"\(path); \(command.replacingOccurrences(of: "\"", with: "\\\""))\"")
        } else {
            try Self.shell("\(path); \(command)")
        }
    }

    /// Through `system`, not Foundation's `Process`: the server the command leaves running would inherit the
    /// descriptor by which Foundation learns that its child ended, and the wait would never end.
    private static func shell(_ command: String) throws {
        let status = system(command + " </dev/null")
        guard status == 0 else {
            throw InfrastructureUnavailable(
                description: "`\(command)` failed (\(status)): PostgreSQL's binaries are needed (`make test` installs them)")
        }
    }
}
