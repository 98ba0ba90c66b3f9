import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The few calls of RabbitMQ's management HTTP API that the CLI and the console need.
package struct ManagementAPI: Sendable {
    package var base: String
    package var vhost: String
    package var user: String
    package var password: String

    package init(base: String, vhost: String, user: String, password: String) {
        self.base = base
        self.vhost = vhost
        self.user = user
        self.password = password
    }

    private var escapedVhost: String { vhost.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? vhost }

    private func path(_ queue: String) -> String {
        "\(base)/api/queues/\(escapedVhost)/\(queue.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? queue)"
    }

    private func send(_ method: String, _ url: String, body: String? = nil) async throws -> (Int, Data) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.setValue("Basic " + Data("\(user):\(password)".utf8).base64EncodedString(), forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = body.map { Data($0.utf8) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    /// Every queue of the vhost with how many messages it held when the broker last sampled its statistics (every
    /// few seconds; ``messageCount(_:)`` reads one queue's count now).
    package func queues() async throws -> [(name: String, messages: Int)] {
        let (status, data) = try await send("GET", "\(base)/api/queues/\(escapedVhost)?columns=name,messages")
        guard status == 200, let rows = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw ManagementError("cannot list the queues of vhost \(vhost): \(String(decoding: data, as: UTF8.self))")
        }
        return rows.compactMap { row in (row["name"] as? String).map { ($0, row["messages"] as? Int ?? 0) } }.sorted { $0.name < $1.name }
    }

    /// How many messages `queue` holds now, read from the queue itself: the counts of ``queues()`` are sampled every
    /// few seconds, and a queue that took messages a moment ago reads as empty there.
    package func messageCount(_ queue: String) async throws -> Int {
        Self.messageCount(peeked: try await peek(queue, count: 1))
    }

    /// The count of the queue that `peeked` came from: the broker gives each message fetched how many were left
    /// behind it, so the first one's count and itself.
    package static func messageCount(peeked: [[String: Any]]) -> Int {
        peeked.first.map { ($0["message_count"] as? Int ?? 0) + 1 } ?? 0
    }

    /// Up to `count` messages of `queue`, left in place (fetched and requeued).
    package func peek(_ queue: String, count: Int) async throws -> [[String: Any]] {
        let (status, data) = try await send(
            "POST", "\(path(queue))/get", body: #"{"count":\#(count),"ackmode":"ack_requeue_true","encoding":"auto"}"#)
        guard status == 200, let messages = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw ManagementError("cannot read \(queue): \(String(decoding: data, as: UTF8.self))")
        }
        return messages
    }

    package func putUser(_ user: String, password: String, tags: String = "") async throws {
        let body = try JSONSerialization.data(withJSONObject: ["password": password, "tags": tags])
        try await expect("PUT", "\(base)/api/users/\(escape(user))", body: String(decoding: body, as: UTF8.self), doing: "create user \(user)")
    }

    package func putPermissions(_ user: String, configure: String, write: String, read: String) async throws {
        let body = try JSONSerialization.data(withJSONObject: ["configure": configure, "write": write, "read": read])
        try await expect(
            "PUT", "\(base)/api/permissions/\(escapedVhost)/\(escape(user))", body: String(decoding: body, as: UTF8.self),
            doing: "set the permissions of \(user)")
    }

    package func putTopicPermissions(_ user: String, exchange: String, write: String, read: String) async throws {
        let body = try JSONSerialization.data(withJSONObject: ["exchange": exchange, "write": write, "read": read])
        try await expect(
            "PUT", "\(base)/api/topic-permissions/\(escapedVhost)/\(escape(user))", body: String(decoding: body, as: UTF8.self),
            doing: "set the topic permissions of \(user) on \(exchange)")
    }

    private func escape(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text }

    private func expect(_ method: String, _ url: String, body: String?, doing what: String) async throws {
        let (status, data) = try await send(method, url, body: body)
        guard (200..<300).contains(status) else { throw ManagementError("cannot \(what): \(status) \(String(decoding: data, as: UTF8.self))") }
    }

    package func purge(_ queue: String) async throws {
        let (status, data) = try await send("DELETE", "\(path(queue))/contents")
        guard (200..<300).contains(status) else { throw ManagementError("cannot purge \(queue): \(String(decoding: data, as: UTF8.self))") }
    }
}

package struct ManagementError: Error, CustomStringConvertible {
    package var description: String
    init(_ description: String) { self.description = description }
}
