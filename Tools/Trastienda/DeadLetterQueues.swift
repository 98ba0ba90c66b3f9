import AMQPClient
import ArgumentParser
import Foundation
import Logging
import Synchronization

/// `trastienda dlq`: what the consumers parked, why and since when; sent back where it came from after a fix; or
/// thrown away, once confirmed.
struct DeadLetterQueues: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq", abstract: "List, replay and purge dead letters.",
        subcommands: [List.self, Replay.self, Purge.self], aliases: ["dead-letters"])

    struct Management: ParsableArguments {
        @Option(help: "RabbitMQ management API.") var management = "http://localhost:15672"
        @Option(help: "Virtual host.") var vhost = "/"
        @Option(help: "Management user.") var user = "trastienda"
        @Option(help: "Management password.") var password = "trastienda"

        var api: ManagementAPI { ManagementAPI(base: management, vhost: vhost, user: user, password: password) }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the dead letters of every queue (or of one), with code, reason and age, leaving them in place.")

        @Argument(help: "A consuming queue, for example billing.sale-recorded; every queue when left out.") var queue: String?
        @OptionGroup var management: Management
        @Option(help: "At most this many messages shown per queue.") var count = 20

        func run() async throws {
            let api = management.api
            let parked = try await api.queues().filter { $0.name.hasSuffix(".dead-letter") }
                .filter { queue == nil || $0.name == Topology.deadLetterQueueName(for: queue!) }
            if parked.isEmpty, let queue { throw ValidationError("no dead-letter queue for \(queue)") }
            let now = Int64(Date().timeIntervalSince1970)
            for (name, messages) in parked where messages > 0 || queue != nil {
                print("\(name): \(messages) dead letter(s)")
                for message in try await api.peek(name, count: count) {
                    let properties = message["properties"] as? [String: Any] ?? [:]
                    let headers = properties["headers"] as? [String: Any] ?? [:]
                    let code = headers[Rejection.codeHeader] as? String ?? (firstDeath(headers)?["reason"] as? String).map { "broker.\($0)" } ?? "?"
                    let parkedAt = (headers[Rejection.deadLetteredAtHeader] as? Int).map(Int64.init)
                        ?? (firstDeath(headers)?["time"] as? Int).map(Int64.init) ?? (properties["timestamp"] as? Int).map(Int64.init)
                    let age = parkedAt.map { Self.age(now - $0) } ?? "?"
                    print("  \(properties["message_id"] as? String ?? "(no id)")  \(code)  age \(age)  \(headers[Rejection.reasonHeader] as? String ?? "")")
                }
            }
            if !parked.contains(where: { $0.messages > 0 }) && queue == nil { print("no dead letters") }
        }

        static func age(_ seconds: Int64) -> String {
            switch seconds {
            case ..<120: "\(max(0, seconds)) s"
            case ..<7_200: "\(seconds / 60) min"
            case ..<172_800: "\(seconds / 3_600) h"
            default: "\(seconds / 86_400) d"
            }
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish a queue's dead letters again to where they first went, then remove them.")

        @Argument(help: "The consuming queue, for example billing.sale-recorded.") var queue: String
        @Option(help: "Broker URL.") var url = ProcessInfo.processInfo.environment["TRASTIENDA_AMQP_URL"] ?? "amqp://trastienda:trastienda@localhost:5672/"

        func run() async throws {
            var logger = Logger(label: "trastienda")
            logger.logLevel = .warning
            let configuration = try AMQPConfiguration(url: url, connectionName: "trastienda-replay")
            let publisher = AMQPConnection(configuration: configuration, logger: logger)
            let replayed = Atomic<Int>(0)
            let lastActivity = Mutex(ContinuousClock.now)
            let inFlight = Atomic<Int>(0)
            let consumer = AMQPConsumer(
                configuration: configuration,
                settings: ConsumerSettings(queue: Topology.deadLetterQueueName(for: queue), prefetch: 200, batchSize: 100),
                logger: logger
            ) { batch in
                inFlight.add(1, ordering: .relaxed)
                defer { inFlight.subtract(1, ordering: .relaxed) }
                let messages = batch.map { delivery -> OutgoingMessage in
                    var properties = delivery.properties
                    let headers = properties.headers
                    let death = headers["x-death"].flatMap(firstDeath)
                    let exchange = headers["x-original-exchange"]?.stringValue ?? death?.exchange ?? ""
                    let routingKey = headers["x-original-routing-key"]?.stringValue ?? death?.routingKey ?? queue
                    for key in [
                        Rejection.codeHeader, Rejection.reasonHeader, Rejection.deadLetteredAtHeader, "x-original-exchange", "x-original-routing-key",
                        "x-death",
                    ] {
                        properties.headers[key] = nil
                    }
                    properties.headers["x-replayed"] = .bool(true)
                    return OutgoingMessage(exchange: exchange, routingKey: routingKey, body: delivery.body, properties: properties)
                }
                try await publisher.publish(messages)
                replayed.add(batch.count, ordering: .relaxed)
                lastActivity.withLock { $0 = .now }
                return []
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await consumer.run() }
                // The idle clock starts once the subscription is up (on a busy broker that can take seconds), and
                // each batch restarts it, from when its handling began.
                let connectBy = ContinuousClock.now + .seconds(30)
                while !consumer.isConnected, ContinuousClock.now < connectBy { try await Task.sleep(for: .milliseconds(100)) }
                lastActivity.withLock { $0 = .now }
                while inFlight.load(ordering: .relaxed) > 0 || ContinuousClock.now - lastActivity.withLock({ $0 }) < .seconds(3) {
                    try await Task.sleep(for: .milliseconds(200))
                }
                group.cancelAll()
            }
            await publisher.close()
            print("replayed \(replayed.load(ordering: .relaxed)) message(s) from \(Topology.deadLetterQueueName(for: queue))")
        }
    }

    struct Purge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete the dead letters of a queue, for good, after confirmation.")

        @Argument(help: "The consuming queue, for example billing.sale-recorded.") var queue: String
        @OptionGroup var management: Management
        @Flag(help: "Do not ask: purge.") var yes = false

        func run() async throws {
            let api = management.api
            let name = Topology.deadLetterQueueName(for: queue)
            guard let parked = try await api.queues().first(where: { $0.name == name }) else {
                throw ValidationError("no dead-letter queue for \(queue)")
            }
            if !yes {
                print("Delete the \(parked.messages) dead letter(s) of \(name) for good? Type the queue's name (\(queue)) to confirm: ", terminator: "")
                guard readLine(strippingNewline: true) == queue else {
                    print("not purged")
                    throw ExitCode(1)
                }
            }
            try await api.purge(name)
            print("purged \(parked.messages) dead letter(s) from \(name)")
        }
    }
}

/// The first `x-death` entry of a message the broker dead-lettered (JSON form, from the management API).
private func firstDeath(_ headers: [String: Any]) -> [String: Any]? {
    (headers["x-death"] as? [[String: Any]])?.first
}

/// The exchange and routing key a broker-dead-lettered message first went to.
private func firstDeath(_ value: HeaderValue) -> (exchange: String, routingKey: String)? {
    guard case .array(let deaths) = value, case .table(let death)? = deaths.first else { return nil }
    let routingKey: String? = if case .array(let keys)? = death["routing-keys"] { keys.first?.stringValue } else { nil }
    return (death["exchange"]?.stringValue ?? "", routingKey ?? "")
}
