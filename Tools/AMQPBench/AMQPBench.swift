import AMQPClient
import ArgumentParser
import Foundation
import Logging
import Synchronization

/// The Swift side of `make bench`: the same work as `scripts/bench/amqp_bench.c`, through the AMQPClient library.
@main
struct AMQPBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "amqp-bench", abstract: "Publish-with-confirms or consume-with-ack rate of the Swift AMQP client.")

    enum Mode: String, ExpressibleByArgument { case publish, consume }

    @Argument(help: "publish or consume") var mode: Mode
    @Option(help: "Broker URL.") var url = "amqp://trastienda:trastienda@localhost:5672/"
    @Option(help: "Queue (a quorum queue, declared if missing).") var queue = "bench"
    @Option(help: "Messages to publish or consume.") var count = 50_000
    @Option(help: "Unconfirmed messages in flight when publishing; prefetch when consuming.") var window = 1000
    @Option(help: "Messages per publish call or per acknowledged batch.") var batch = 500

    func run() async throws {
        var logger = Logger(label: "amqp-bench")
        logger.logLevel = .warning
        let configuration = try AMQPConfiguration(url: url, connectionName: "amqp-bench")
        let topology = Topology(queues: [Topology.Queue(name: queue)])
        let started = ContinuousClock.now
        switch mode {
        case .publish:
            let connection = AMQPConnection(configuration: configuration, topology: topology, logger: logger)
            try await connection.declare(topology)
            let body = [UInt8](repeating: UInt8(ascii: "x"), count: 400)
            let timestamp = Int64(Date().timeIntervalSince1970)
            let starting = ContinuousClock.now
            let calls = (count + batch - 1) / batch
            try await withThrowingTaskGroup(of: Void.self) { group in
                var next = 0
                func addCall() {
                    let first = next * batch
                    let messages = (first..<min(first + batch, count)).map { index in
                        OutgoingMessage(
                            exchange: "", routingKey: queue, body: body,
                            properties: MessageProperties(type: "bench.message.v1", messageId: "m-\(index)", timestamp: timestamp))
                    }
                    group.addTask { try await connection.publish(messages) }
                    next += 1
                }
                for _ in 0..<min(max(1, window / batch), calls) { addCall() }
                while try await group.next() != nil {
                    if next < calls { addCall() }
                }
            }
            report(count: count, since: starting)
            await connection.close()
        case .consume:
            let received = Atomic<Int>(0)
            let firstDelivery = Mutex<ContinuousClock.Instant?>(nil)
            let target = count
            let done = AsyncStream<Void>.makeStream()
            let consumer = AMQPConsumer(
                configuration: configuration,
                settings: ConsumerSettings(queue: queue, prefetch: window, batchSize: batch, batchWait: .milliseconds(5)),
                topology: topology, logger: logger
            ) { deliveries in
                firstDelivery.withLock { $0 = $0 ?? .now }
                if received.add(deliveries.count, ordering: .relaxed).newValue >= target { done.continuation.yield() }
                return []
            }
            await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await consumer.run() }
                for await _ in done.stream { break }
                // Timed from the first delivery, as the C baseline is, so that connecting is not counted.
                report(count: received.load(ordering: .relaxed), since: firstDelivery.withLock { $0 } ?? started)
                group.cancelAll()
            }
        }
    }

    func report(count: Int, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let seconds = elapsed.secondsValue
        print("rate \(Int(Double(count) / seconds))")
    }
}
