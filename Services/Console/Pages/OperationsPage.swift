import AMQPClient
import BrokerAdmin
import Foundation
import Hummingbird
import Logging
import ServiceRuntime

/// Operations (admin): the queues and their depths, the dead letters of each with code, reason and age, and replay or
/// purge, confirmed. Through RabbitMQ's management API and the console's own broker user.
enum OperationsPage {
    static let readers: Set<Role> = [.admin]

    static func add(to router: Router<BasicRequestContext>, _ area: Area) {
        router.get("/operations") { request, _ in
            if let refusal = area.allowed(readers) { return refusal }
            let api = area.broker.api
            let queues: [(name: String, messages: Int)]
            let parked: [DeadLetters.Queue]
            do {
                queues = try await api.queues()
                parked = try await DeadLetters.list(api, count: 20)
            } catch {
                return area.views.refusal(.serviceUnavailable, "\(area.texts["broker_unreachable"] ?? ""): \(error)")
            }
            return area.views.page(
                "operations", title: area.texts["nav_operations"] ?? "",
                [
                    "queues": queues.filter { !$0.name.hasSuffix(".dead-letter") }.map { ["name": $0.name, "messages": $0.messages] },
                    "parked": parked.filter { $0.messages > 0 }.map { queue in
                        [
                            "name": queue.name, "consumer": queue.consumer, "messages": queue.messages,
                            "replay": "/operations/\(Area.encoded(queue.consumer))/replay", "purge": "/operations/\(Area.encoded(queue.consumer))/purge",
                            "letters": queue.letters.map {
                                ["id": $0.messageId, "code": $0.code, "reason": $0.reason, "age": $0.ageSeconds.map(DeadLetters.age) ?? "?"]
                            },
                        ] as [String: Any]
                    },
                    "noParked": !parked.contains { $0.messages > 0 }, "done": Area.query(request, "done") ?? "",
                ], section: "/operations")
        }
        router.post("/operations/:consumer/replay") { _, context in
            if let refusal = area.allowed(readers) { return refusal }
            let consumer = try context.parameters.require("consumer")
            guard Form.current["confirm"] == "yes" else { return area.views.refusal(.badRequest, area.texts["confirm_needed"] ?? "") }
            let waiting = try await DeadLetters.waiting(area.broker.api, consumer: consumer) ?? 0
            let count = waiting == 0 ? 0 : try await DeadLetters.replay(consumer: consumer, limit: waiting, configuration: area.broker.amqp, logger: area.broker.logger)
            return area.done("/operations", "\(count) \(area.texts["replayed"] ?? "") \(consumer)")
        }
        router.post("/operations/:consumer/purge") { _, context in
            if let refusal = area.allowed(readers) { return refusal }
            let consumer = try context.parameters.require("consumer")
            guard Form.current["confirm"] == consumer else { return area.views.refusal(.badRequest, area.texts["purge_confirm"] ?? "") }
            try await area.broker.api.purge(Topology.deadLetterQueueName(for: consumer))
            return area.done("/operations", "\(area.texts["purged"] ?? "") \(consumer)")
        }
    }
}

/// The broker, as the console operates it: the management API with its own user, and AMQP (its own broker user,
/// from its configuration) for replays.
struct BrokerOperations: Sendable {
    let api: ManagementAPI
    let amqp: AMQPConfiguration
    let logger: Logger
}
