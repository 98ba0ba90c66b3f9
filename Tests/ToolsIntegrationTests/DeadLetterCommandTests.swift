import AMQPClient
import Foundation
import Testing
import TrastiendaTesting

/// `trastienda dlq` against a real broker: the CLI run as its own process, as an operator runs it.
@Suite("trastienda dlq lists, replays and purges dead letters")
struct DeadLetterCommandTests {
    func topology() -> Topology { .consumingQueue("test.things", bindings: [("test.events", "#")]).merging(Topology(exchanges: [.init("test.events")])) }

    func message(_ id: String) -> OutgoingMessage {
        OutgoingMessage(exchange: "test.events", routingKey: "thing.new", body: Array(#"{"id":"\#(id)"}"#.utf8), properties: MessageProperties(messageId: id))
    }

    func trastienda(_ arguments: [String], input: String? = nil) async throws -> (code: Int32, output: String) {
        let process = try ServiceProcess("trastienda", arguments: arguments, input: input)
        let ended = await process.waitForExit(timeout: .seconds(30))
        #expect(ended, "trastienda \(arguments.joined(separator: " ")) did not end within 30 s; its output: \(process.output)")
        return (process.exitCode, process.output)
    }

    @Test("dead letters are listed with code, reason and age, replayed to where they went first, and purged only when confirmed")
    func listReplayPurge() async throws {
        try await TestInfrastructure.withVirtualHost { configuration in
            let vhost = configuration.virtualHost
            let url = TestInfrastructure.amqpURL + vhost
            let publisher = AMQPConnection(configuration: configuration.named("test-publisher"), topology: topology(), logger: TestInfrastructure.logger)
            try await publisher.declare(topology())
            try await publisher.publish((1...3).map { message("t-\($0)") })

            // A consumer with a bug parks everything.
            func refusing() -> AMQPConsumer {
                AMQPConsumer(
                    configuration: configuration.named("buggy"), settings: ConsumerSettings(queue: "test.things", batchWait: .milliseconds(5)),
                    topology: topology(), logger: TestInfrastructure.logger
                ) { batch in batch.map { Rejection(deliveryTag: $0.deliveryTag, code: "thing.broken", reason: "the handler has a bug") } }
            }
            // Parking is asynchronous: the first count is awaited. Counts are read from the queue, not from the
            // management API's statistics (sampled every few seconds), so the later ones hold at once.
            let parked = try await running([refusing()]) {
                await eventually { (try? await trastienda(["dlq", "list", "--vhost", vhost]))?.output.contains("test.things.dead-letter: 3") == true }
            }
            #expect(parked)
            let listed = try await trastienda(["dlq", "list", "--vhost", vhost])
            #expect(listed.code == 0)
            #expect(listed.output.contains("thing.broken") && listed.output.contains("the handler has a bug") && listed.output.contains("age "), "\(listed.output)")
            #expect(listed.output.components(separatedBy: "thing.broken").count - 1 == 3)

            // After the fix, replay: they go back through their exchange and are handled.
            let handled = Seen()
            try await running([collector(configuration, queue: "test.things", topology: topology(), into: handled)]) {
                let replay = try await trastienda(["dlq", "replay", "test.things", "--url", url])
                #expect(replay.code == 0 && replay.output.contains("replayed 3"), "\(replay.output)")
                #expect(await eventually { handled.count == 3 })
            }
            #expect(Set(handled.all.compactMap(\.properties.messageId)) == ["t-1", "t-2", "t-3"])
            #expect(handled.all.allSatisfy { $0.properties.headers["x-replayed"] == .bool(true) && $0.properties.headers[Rejection.codeHeader] == nil })
            #expect(await eventually(timeout: .seconds(15)) {
                (try? await trastienda(["dlq", "list", "test.things", "--vhost", vhost]))?.output.contains("test.things.dead-letter: 0") == true
            })

            // Two more parked; a purge that is not confirmed leaves them; a confirmed one removes them.
            try await publisher.publish((4...5).map { message("t-\($0)") })
            let parkedAgain = try await running([refusing()]) {
                await eventually {
                    (try? await trastienda(["dlq", "list", "--vhost", vhost]))?.output.contains("test.things.dead-letter: 2") == true
                }
            }
            #expect(parkedAgain)
            let refused = try await trastienda(["dlq", "purge", "test.things", "--vhost", vhost], input: "billing.sale-recorded\n")
            #expect(refused.code != 0 && refused.output.contains("not purged"), "\(refused.output)")
            #expect(try await trastienda(["dlq", "list", "--vhost", vhost]).output.contains("test.things.dead-letter: 2"))
            let confirmed = try await trastienda(["dlq", "purge", "test.things", "--vhost", vhost], input: "test.things\n")
            #expect(confirmed.code == 0 && confirmed.output.contains("purged 2"), "\(confirmed.output)")
            let afterPurge = try await trastienda(["dlq", "list", "--vhost", vhost])
            #expect(afterPurge.output.contains("no dead letters"), "a purge shows at once: \(afterPurge.output)")
            await publisher.close()
        }
    }
}
