import AMQPClient
import ArgumentParser
import Foundation
import Logging
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The admin CLI: service status, dead letters (list and replay).
@main
struct Trastienda: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trastienda", abstract: "Administer a Trastienda installation.",
        subcommands: [Status.self, DeadLetters.self, VerifyChain.self])
}

struct VerifyChain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-chain", abstract: "Recompute an issuer's VERI*FACTU fingerprint chain and name the first broken record.")

    @Argument(help: "The issuer's tax id, for example 89890001K.") var taxId: String
    @Option(help: "Billing's HTTP address.") var billing = "http://localhost:8082"

    func run() async throws {
        let url = URL(string: "\(billing)/issuers/\(taxId)/chain")!
        let (data, response) = try await URLSession.shared.data(from: url)
        guard (response as? HTTPURLResponse)?.statusCode == 200,
            let result = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        else {
            throw ValidationError("billing answered: \(String(decoding: data, as: UTF8.self))")
        }
        let records = result["records"] as? Int ?? 0
        if let broken = result["firstBroken"] as? String {
            print("chain of \(taxId): BROKEN at \(broken) (\(records) records)")
            throw ExitCode(1)
        }
        print("chain of \(taxId): valid, \(records) records")
    }
}

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Readiness of the five services.")

    @Option(help: "Host the services run on.") var host = "localhost"

    func run() async throws {
        let services = [("sales-intake", 8081), ("billing", 8082), ("orders", 8083), ("collections", 8084), ("hr", 8085)]
        var allReady = true
        for (name, port) in services {
            let line: String
            do {
                let (data, response) = try await URLSession.shared.data(from: URL(string: "http://\(host):\(port)/health/ready")!)
                let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                allReady = allReady && status == 200
                line = "\(status == 200 ? "ready    " : "not ready") \(String(decoding: data, as: UTF8.self))"
            } catch {
                allReady = false
                line = "down      (no answer on port \(port))"
            }
            print("\(name.padding(toLength: 13, withPad: " ", startingAt: 0)) \(line)")
        }
        if !allReady { throw ExitCode(1) }
    }
}

struct DeadLetters: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dead-letters", abstract: "Inspect and replay dead letters.", subcommands: [List.self, Replay.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the dead letters of a queue, leaving them in place.")

        @Argument(help: "The consuming queue, for example billing.sale-recorded.") var queue: String
        @Option(help: "RabbitMQ management API.") var management = "http://localhost:15672"
        @Option(help: "Virtual host.") var vhost = "/"
        @Option(help: "Management user.") var user = "trastienda"
        @Option(help: "Management password.") var password = "trastienda"
        @Option(help: "At most this many.") var count = 20

        func run() async throws {
            let deadLetterQueue = Topology.deadLetterQueueName(for: queue)
            let escapedHost = vhost.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? vhost
            let escapedQueue = deadLetterQueue.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? deadLetterQueue
            var request = URLRequest(url: URL(string: "\(management)/api/queues/\(escapedHost)/\(escapedQueue)/get")!)
            request.httpMethod = "POST"
            request.setValue("Basic " + Data("\(user):\(password)".utf8).base64EncodedString(), forHTTPHeaderField: "Authorization")
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(#"{"count":\#(count),"ackmode":"ack_requeue_true","encoding":"auto"}"#.utf8)
            let (data, response) = try await URLSession.shared.data(for: request)
            guard (response as? HTTPURLResponse)?.statusCode == 200,
                let messages = try JSONSerialization.jsonObject(with: data) as? [[String: Any]]
            else {
                throw ValidationError("cannot read \(deadLetterQueue): \(String(decoding: data, as: UTF8.self))")
            }
            print("\(messages.count) dead letter(s) in \(deadLetterQueue)")
            for message in messages {
                let properties = message["properties"] as? [String: Any] ?? [:]
                let headers = properties["headers"] as? [String: Any] ?? [:]
                let code = headers[Rejection.codeHeader] as? String ?? (firstDeath(headers)?["reason"] as? String).map { "broker.\($0)" } ?? "?"
                print("- \(properties["message_id"] as? String ?? "(no id)")  \(code)  \(headers[Rejection.reasonHeader] as? String ?? "")")
                print("  \(String((message["payload"] as? String ?? "").prefix(200)))")
            }
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish a queue's dead letters again to where they first went, then remove them.")

        @Argument(help: "The consuming queue, for example billing.sale-recorded.") var queue: String
        @Option(help: "Broker URL.") var url = "amqp://trastienda:trastienda@localhost:5672/"

        func run() async throws {
            var logger = Logger(label: "trastienda")
            logger.logLevel = .warning
            let configuration = try AMQPConfiguration(url: url, connectionName: "trastienda-replay")
            let publisher = AMQPConnection(configuration: configuration, logger: logger)
            let replayed = Atomic<Int>(0)
            let lastActivity = Mutex(ContinuousClock.now)
            let consumer = AMQPConsumer(
                configuration: configuration,
                settings: ConsumerSettings(queue: Topology.deadLetterQueueName(for: queue), prefetch: 200, batchSize: 100),
                logger: logger
            ) { batch in
                let messages = batch.map { delivery -> OutgoingMessage in
                    var properties = delivery.properties
                    let headers = properties.headers
                    let death = headers["x-death"].flatMap(firstDeath)
                    let exchange = headers["x-original-exchange"]?.stringValue ?? death?.exchange ?? ""
                    let routingKey = headers["x-original-routing-key"]?.stringValue ?? death?.routingKey ?? queue
                    for key in [Rejection.codeHeader, Rejection.reasonHeader, "x-original-exchange", "x-original-routing-key", "x-death"] {
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
                while ContinuousClock.now - lastActivity.withLock({ $0 }) < .seconds(2) {
                    try await Task.sleep(for: .milliseconds(200))
                }
                group.cancelAll()
            }
            await publisher.close()
            print("replayed \(replayed.load(ordering: .relaxed)) message(s) from \(Topology.deadLetterQueueName(for: queue))")
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
