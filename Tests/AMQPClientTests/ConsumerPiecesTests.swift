import CRabbitMQ
import Foundation
import Synchronization
import Testing

@testable import AMQPClient

/// The consumer's pure pieces, without a broker: batches passing their ordered section in turn, the buffer between
/// the connection's thread and the consumer, and the cache of strings read from the wire.
@Suite("The consumer's pieces")
struct ConsumerPiecesTests {
    @Test("batches pass their section in the order they were taken, whatever order they arrive in; a batch passed already goes on at once")
    func batchTurns() async {
        let turns = BatchTurns()
        let order = Order()
        await withTaskGroup(of: Void.self) { group in
            for number in [3, 1, 2, 0] {
                group.addTask {
                    await turns.wait(for: number)
                    await order.add(number)
                    turns.pass(number)
                }
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
        #expect(await order.numbers == [0, 1, 2, 3])
        turns.pass(2)  // passing twice changes nothing
        await turns.wait(for: 1)  // behind its turn: does not wait
        await turns.wait(for: 4)  // its turn now
    }

    @Test("a batch that finished without entering the section still lets the next one in")
    func skippedTurn() async {
        let turns = BatchTurns()
        turns.pass(1)  // finished out of order, before 0
        let entered = Flag()
        let waiting = Task {
            await turns.wait(for: 2)
            await entered.raise()
        }
        try? await Task.sleep(for: .milliseconds(20))
        #expect(await !entered.raised, "2 waits for 0")
        turns.pass(0)
        await waiting.value
        #expect(await entered.raised)
    }

    func delivery(_ tag: UInt64, generation: UInt64 = 1) -> Delivery {
        Delivery(deliveryTag: tag, connectionGeneration: generation, exchange: "x", routingKey: "k", redelivered: false, body: [], properties: .init())
    }

    @Test("batches are settled in the order they were taken: a later one waits for every earlier one, then all go out in order")
    func batchSettler() {
        let sent = Sent()
        let settler = BatchSettler(send: sent.add)
        settler.settle(1, last: delivery(20), outcome: .acknowledge(upTo: delivery(20)))
        settler.settle(2, last: delivery(30), outcome: .returnToQueue)
        #expect(sent.lines.isEmpty, "batch 0 is not finished: nothing may be acknowledged past it")
        settler.settle(0, last: delivery(10), outcome: .acknowledge(upTo: delivery(9)))
        #expect(sent.lines == ["ack 9 g1", "ack 20 g1", "nack 30 g1 requeue multiple"])
        settler.settle(3, last: delivery(40, generation: 2), outcome: .acknowledge(upTo: nil))  // all went back: nothing to send
        settler.settle(4, last: delivery(50, generation: 2), outcome: .acknowledge(upTo: delivery(48, generation: 2)))
        #expect(sent.lines.last == "ack 48 g2")
        #expect(sent.lines.count == 4)
    }

    @Test("the buffer hands deliveries over in order, at most as many as asked, and forgets an old connection's")
    func deliveryBuffer() {
        let buffer = DeliveryBuffer()
        buffer.append((1...5).map { delivery($0) })
        buffer.append([delivery(6)])
        #expect(buffer.take(maximum: 2).map(\.deliveryTag) == [1, 2])
        #expect(buffer.availableCount == 4)
        buffer.append((7...8).map { delivery($0, generation: 2) })
        buffer.discard(olderThan: 2)
        #expect(buffer.take(maximum: 10).map(\.deliveryTag) == [7, 8], "generation 1's tags cannot be acknowledged any more")
        #expect(buffer.take(maximum: 10).isEmpty)
        #expect(!buffer.isDrained)
        buffer.finish()
        #expect(buffer.isDrained)
    }

    @Test("a wait for deliveries ends when enough came, when the buffer finishes, or at its timeout")
    func waitForDeliveries() async {
        let buffer = DeliveryBuffer()
        let filled = Task { await buffer.waitForDeliveries(count: 3) }
        buffer.append([delivery(1), delivery(2)])
        try? await Task.sleep(for: .milliseconds(10))
        buffer.append([delivery(3)])
        await filled.value
        #expect(buffer.availableCount == 3)
        let started = ContinuousClock.now
        await buffer.waitForDeliveries(count: 10, timeout: .milliseconds(30))
        #expect(ContinuousClock.now - started >= .milliseconds(30))
        let finished = Task { await buffer.waitForDeliveries(count: 10) }
        buffer.finish()
        await finished.value
    }

    @Test("recent strings: the same bytes give the same string, from the cache; other bytes in the same slot replace it; short and long ones pass through")
    func recentStrings() {
        var strings = RecentStrings()
        func read(_ text: String) -> String {
            var bytes = Array(text.utf8)
            return bytes.withUnsafeMutableBytes { strings.string(amqp_bytes_t(len: $0.count, bytes: $0.baseAddress)) }
        }
        let keys = (1...400).map { String(format: "sale.S%03d.S%03d-T%02d", $0 % 50, $0 % 50, $0 % 8) }
        for key in keys + keys { #expect(read(key) == key) }
        #expect(read("short") == "short")
        let long = String(repeating: "x", count: 100)
        #expect(read(long) == long)
        #expect(read("") == "")
    }
}

actor Order {
    var numbers: [Int] = []
    func add(_ number: Int) { numbers.append(number) }
}

actor Flag {
    var raised = false
    func raise() { raised = true }
}

/// What a settler sent, a line per command.
final class Sent: Sendable {
    private let commands = Mutex<[String]>([])

    @Sendable func add(_ command: Command) {
        let line =
            switch command {
            case .ack(let tag, let generation): "ack \(tag) g\(generation)"
            case .nack(let tag, let generation, let requeue, let multiple):
                "nack \(tag) g\(generation)\(requeue ? " requeue" : "")\(multiple ? " multiple" : "")"
            default: "other"
            }
        commands.withLock { $0.append(line) }
    }

    var lines: [String] { commands.withLock { $0 } }
}
