import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The few calls of RabbitMQ's management HTTP API that the CLI needs.
struct ManagementAPI {
    var base: String
    var vhost: String
    var user: String
    var password: String

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

    /// Every queue of the vhost with how many messages it holds.
    func queues() async throws -> [(name: String, messages: Int)] {
        let (status, data) = try await send("GET", "\(base)/api/queues/\(escapedVhost)?columns=name,messages")
        guard status == 200, let rows = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw ManagementError("cannot list the queues of vhost \(vhost): \(String(decoding: data, as: UTF8.self))")
        }
        return rows.compactMap { row in (row["name"] as? String).map { ($0, row["messages"] as? Int ?? 0) } }.sorted { $0.name < $1.name }
    }

    /// Up to `count` messages of `queue`, left in place (fetched and requeued).
    func peek(_ queue: String, count: Int) async throws -> [[String: Any]] {
        let (status, data) = try await send(
            "POST", "\(path(queue))/get", body: #"{"count":\#(count),"ackmode":"ack_requeue_true","encoding":"auto"}"#)
        guard status == 200, let messages = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw ManagementError("cannot read \(queue): \(String(decoding: data, as: UTF8.self))")
        }
        return messages
    }

    func purge(_ queue: String) async throws {
        let (status, data) = try await send("DELETE", "\(path(queue))/contents")
        guard (200..<300).contains(status) else { throw ManagementError("cannot purge \(queue): \(String(decoding: data, as: UTF8.self))") }
    }
}

struct ManagementError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
