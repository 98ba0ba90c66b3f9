import AMQPClient
import Contracts
import Foundation
import PostgresClient
import ServiceRuntime

/// Messages from head office to the shop floors: posted once, announced as `announcement.<store>` to every store it
/// reaches (all stores, some stores, or the stores where the given roles work), and read receipts kept once per
/// announcement and employee.
enum Announcements {
    struct Post: Codable, Sendable {
        var title: String
        var body: String
        var priority: String?
        var stores: [String]?
        var roles: [String]?
    }

    static func validate(_ post: Post) throws(Refusal) {
        guard (1...200).contains(post.title.count) else { throw Refusal(.invalid, "title must be 1–200 characters") }
        guard (1...10_000).contains(post.body.count) else { throw Refusal(.invalid, "body must be 1–10000 characters") }
        guard ["low", "normal", "high"].contains(post.priority ?? "normal") else { throw Refusal(.invalid, "priority is low, normal or high") }
        if let stores = post.stores {
            guard !stores.isEmpty, stores.allSatisfy(OperationsRoutes.isIdentifier) else {
                throw Refusal(.invalid, "stores, when given, is a non-empty list of store ids")
            }
        }
        if let roles = post.roles {
            guard !roles.isEmpty, roles.allSatisfy(Staff.roles.contains) else {
                throw Refusal(.invalid, "roles, when given, is a non-empty list of \(Staff.roles.sorted().joined(separator: ", "))")
            }
        }
        guard post.stores == nil || post.roles == nil else { throw Refusal(.invalid, "give stores or roles, not both") }
    }

    /// Stores the announcement and queues one message per store it reaches; returns its id and those stores.
    static func publish(_ post: Post, on connection: PostgresConnection) throws -> (id: String, stores: [String]) {
        let stores: [String]
        if let chosen = post.stores {
            stores = Array(Set(chosen)).sorted()
        } else if let roles = post.roles {
            stores = try connection.query(
                """
                SELECT DISTINCT unnest(stores) FROM employees
                WHERE role = ANY($1::text[]) AND active AND (end_date IS NULL OR end_date >= current_date) ORDER BY 1
                """, [PostgresArrays.text(roles)]
            ).map { try $0.decode(String.self, at: 0) }
        } else {
            stores = try connection.query(
                "SELECT store_id FROM stores_seen UNION SELECT unnest(stores) FROM employees ORDER BY 1"
            ).map { try $0.decode(String.self, at: 0) }
        }
        let id = UUID().uuidString.lowercased()
        let publishedAt: String = try connection.query(
            """
            INSERT INTO announcements (id, title, body, priority, stores, roles) VALUES ($1, $2, $3, $4, $5::text[], $6::text[])
            RETURNING to_char(published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
            """,
            [id, post.title, post.body, post.priority ?? "normal", PostgresArrays.text(stores), post.roles.map { PostgresArrays.text($0) }]
        )[0].decode(at: 0)
        for store in stores {
            try Outbox.add(
                AnnouncementV1(
                    announcementId: id, storeId: store, title: post.title, body: post.body, priority: post.priority ?? "normal",
                    roles: post.roles, publishedAt: publishedAt),
                exchange: Exchanges.hrEvents.name, routingKey: "announcement.\(store)", type: AnnouncementV1.messageType, on: connection)
        }
        return (id, stores)
    }

    /// Keeps a read receipt, once per announcement and employee (a receipt for an unknown announcement is kept too:
    /// the till saw something, and the count shows it).
    static func recordRead(_ read: AnnouncementReadV1, on connection: PostgresConnection) throws {
        try connection.query(
            """
            INSERT INTO read_receipts (announcement_id, employee_id, store_id, read_at) VALUES ($1, $2, $3, $4)
            ON CONFLICT DO NOTHING
            """, [read.announcementId, read.employeeId, read.storeId, read.readAt])
    }
}
