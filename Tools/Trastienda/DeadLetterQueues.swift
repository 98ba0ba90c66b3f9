import AMQPClient
import ArgumentParser
import BrokerAdmin
import Foundation
import Logging

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
            let queues = try await DeadLetters.list(management.api, consumer: queue, count: count)
            if queues.isEmpty, let queue { throw ValidationError("no dead-letter queue for \(queue)") }
            for parked in queues where parked.messages > 0 || queue != nil {
                print("\(parked.name): \(parked.messages) dead letter(s)")
                for letter in parked.letters {
                    let id = letter.messageId.isEmpty ? "(no id)" : letter.messageId
                    print("  \(id)  \(letter.code)  age \(letter.ageSeconds.map(DeadLetters.age) ?? "?")  \(letter.reason)")
                }
            }
            if !queues.contains(where: { $0.messages > 0 }) && queue == nil { print("no dead letters") }
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish a queue's dead letters again to where they first went, then remove them.")

        @Argument(help: "The consuming queue, for example billing.sale-recorded.") var queue: String
        @Option(help: "Broker URL.") var url = ProcessInfo.processInfo.environment["TRASTIENDA_AMQP_URL"] ?? "amqp://trastienda:trastienda@localhost:5672/"
        @OptionGroup var management: Management

        func run() async throws {
            var logger = Logger(label: "trastienda")
            logger.logLevel = .warning
            let configuration = try AMQPConfiguration(url: url, connectionName: "trastienda-replay")
            // What is there now; a message refused again after its replay waits for the next one.
            let api = ManagementAPI(base: management.management, vhost: configuration.virtualHost, user: management.user, password: management.password)
            let waiting = try await DeadLetters.waiting(api, consumer: queue) ?? 0
            let replayed = waiting == 0 ? 0 : try await DeadLetters.replay(consumer: queue, limit: waiting, configuration: configuration, logger: logger)
            print("replayed \(replayed) message(s) from \(Topology.deadLetterQueueName(for: queue))")
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
            guard let parked = try await DeadLetters.waiting(api, consumer: queue) else {
                throw ValidationError("no dead-letter queue for \(queue)")
            }
            if !yes {
                print("Delete the \(parked) dead letter(s) of \(name) for good? Type the queue's name (\(queue)) to confirm: ", terminator: "")
                guard readLine(strippingNewline: true) == queue else {
                    print("not purged")
                    throw ExitCode(1)
                }
            }
            try await api.purge(name)
            print("purged \(parked) dead letter(s) from \(name)")
        }
    }
}

