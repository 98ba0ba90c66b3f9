import PostgresClient

/// Collections' idea of today: the database's date, unless a test (or a rehearsal) has set the clock, which every
/// replica then shares and a restart keeps.
enum CollectionsClock {
    static let todaySQL = "(SELECT coalesce((SELECT today FROM clock), current_date))"

    /// Today, `yyyy-mm-dd`.
    static func today(on connection: PostgresConnection) throws -> String {
        try connection.query("SELECT to_char(\(todaySQL), 'YYYY-MM-DD')")[0].decode(at: 0)
    }

    static func set(_ today: String?, on connection: PostgresConnection) throws {
        if let today {
            try connection.query(
                "INSERT INTO clock (singleton, today) VALUES (true, $1::date) ON CONFLICT (singleton) DO UPDATE SET today = excluded.today", [today])
        } else {
            try connection.query("DELETE FROM clock")
        }
    }
}
