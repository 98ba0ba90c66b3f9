import Foundation
import Logging
import Synchronization
import Testing

@testable import AMQPClient

/// The connection's phases and what happens in each to queued commands, unconfirmed publishes and delivery tags,
/// without a broker: the machine the connection's thread runs, fed the events the thread would see.
@Suite("The connection's state machine")
struct ConnectionStateMachineTests {
    @Test("a publish asked for while reconnecting waits, and goes out first on the next connection, with tag 1")
    func commandQueuedWhileReconnecting() throws {
        var machine = ConnectionStateMachine(endpointCount: 1, consumes: false)
        let r1 = machine.nextAction(now: 0, closeRequested: false)
        #expect(r1 == .connect(endpoint: 0))
        let r2 = machine.connectFailed(now: 0)
        #expect(r2 == 100)
        #expect(machine.phase == .reconnecting(until: 100))
        let r3 = machine.nextAction(now: 40, closeRequested: false)
        #expect(r3 == .waitForBackoff(milliseconds: 60))

        let outcome = Outcomes()
        let early = outcome.ticket("early", count: 1)
        let r4 = machine.receivedWhileDisconnected([.publish([message("early")], early), .ack(upTo: 3, generation: 0)])
        #expect(!r4)
        #expect(machine.waitingCommands == 1)  // the publish waits; the acknowledgement of a dead connection is dropped

        let r5 = machine.nextAction(now: 100, closeRequested: false)
        #expect(r5 == .connect(endpoint: 0))
        let r6 = machine.connected()
        #expect(r6 == 1)
        let late = outcome.ticket("late", count: 1)
        let commands = machine.commands(taking: [.publish([message("late")], late)])
        let steps = commands.compactMap { machine.step(for: $0) }
        #expect(steps.count == 2)
        guard case .publish(let first, _) = steps[0], case .publish(let second, _) = steps[1] else {
            Issue.record("expected two publishes, got \(steps)")
            return
        }
        #expect(first.map(\.routingKey) == ["early"])
        #expect(second.map(\.routingKey) == ["late"])
        machine.sent(early)
        machine.sent(late)
        machine.confirmed(upTo: 1, multiple: false, acknowledged: true)  // tag 1 is the early one
        #expect(outcome["early"] == "confirmed")
        #expect(outcome["late"] == nil)
        machine.confirmed(upTo: 2, multiple: true, acknowledged: true)
        #expect(outcome["late"] == "confirmed")
        #expect(machine.unconfirmedCount == 0)
    }

    @Test("confirms: one tag at a time, out of order, or up to a tag; a call completes when all its messages are confirmed, failed if any was refused")
    func publishConfirmBookkeeping() {
        var unconfirmed = UnconfirmedPublishes()
        let outcome = Outcomes()
        let three = outcome.ticket("three", count: 3)  // tags 1, 2, 3
        let one = outcome.ticket("one", count: 1)  // tag 4
        let refused = outcome.ticket("refused", count: 2)  // tags 5, 6
        for ticket in [three, three, three, one, refused, refused] { unconfirmed.sent(ticket) }
        unconfirmed.confirm(upTo: 2, multiple: false, acknowledged: true)  // out of order: settled in place
        unconfirmed.confirm(upTo: 4, multiple: false, acknowledged: true)
        #expect(outcome["one"] == "confirmed")
        #expect(outcome["three"] == nil)
        #expect(unconfirmed.count == 6)  // 1 is still first: nothing leaves the head yet
        unconfirmed.confirm(upTo: 3, multiple: true, acknowledged: true)  // 1 and 3; 2 was settled already
        #expect(outcome["three"] == "confirmed")
        #expect(unconfirmed.count == 2)
        unconfirmed.confirm(upTo: 5, multiple: false, acknowledged: false)
        #expect(outcome["refused"] == nil)
        unconfirmed.confirm(upTo: 6, multiple: false, acknowledged: true)
        #expect(outcome["refused"] == "failed amqp.nacked")
        #expect(unconfirmed.isEmpty)
        unconfirmed.confirm(upTo: 99, multiple: true, acknowledged: true)  // a confirm for nothing changes nothing
        #expect(unconfirmed.isEmpty)
    }

    @Test("a whole round of refused nodes backs off, doubling to 5 s; a node refused inside a round is followed at once by the next")
    func backoff() {
        var machine = ConnectionStateMachine(endpointCount: 3, consumes: false)
        var waits: [Int?] = []
        var endpoints: [ConnectionStateMachine.Action] = []
        var now = 0
        for _ in 0..<21 {
            var action = machine.nextAction(now: now, closeRequested: false)
            while case .waitForBackoff(let milliseconds) = action {
                now += milliseconds
                action = machine.nextAction(now: now, closeRequested: false)
            }
            endpoints.append(action)
            waits.append(machine.connectFailed(now: now))
        }
        #expect(endpoints.prefix(4) == [.connect(endpoint: 0), .connect(endpoint: 1), .connect(endpoint: 2), .connect(endpoint: 0)])
        #expect(waits.compactMap { $0 } == [100, 200, 400, 800, 1600, 3200, 5000])
        #expect(waits.prefix(3) == [nil, nil, 100])
        _ = machine.nextAction(now: now + 5000, closeRequested: false)
        _ = machine.connected()
        #expect(machine.backoffMilliseconds == 100)
    }

    @Test("a publish unconfirmed when the connection dies fails with connectionLost; the next connection numbers from 1")
    func unconfirmedWhenConnectionDies() {
        var machine = openMachine()
        let outcome = Outcomes()
        let ticket = outcome.ticket("two messages", count: 2)
        let steps = machine.commands(taking: [.publish([message("a"), message("b")], ticket)]).compactMap { machine.step(for: $0) }
        #expect(steps.count == 1)
        machine.sent(ticket)
        machine.sent(ticket)
        machine.confirmed(upTo: 1, multiple: false, acknowledged: true)
        #expect(outcome["two messages"] == nil)  // one of two confirmed: still waiting

        let loss = machine.connectionLost(AMQPError(.connectionLost, "socket closed"))
        #expect(outcome["two messages"] == "failed amqp.connection_lost")
        #expect(loss == .init(staleBefore: 2, finishConsuming: false))
        #expect(machine.phase == .connecting)
        #expect(machine.unconfirmedCount == 0)

        let r7 = machine.connected()
        #expect(r7 == 2)
        let retry = outcome.ticket("again", count: 1)
        machine.sent(retry)
        machine.confirmed(upTo: 1, multiple: false, acknowledged: false)  // tag 1 on the new channel
        #expect(outcome["again"] == "failed amqp.nacked")
    }

    @Test("commands left unsent when the connection broke go out first on the next one")
    func unsentCommandsWait() {
        var machine = openMachine()
        let outcome = Outcomes()
        let first = outcome.ticket("first", count: 1)
        let second = outcome.ticket("second", count: 1)
        let commands = machine.commands(taking: [.publish([message("first")], first), .publish([message("second")], second)])
        machine.sent(first)
        machine.unsent(commands[1...])  // the socket broke sending the first
        _ = machine.connectionLost(AMQPError(.connectionLost, "reset"))
        #expect(outcome["first"] == "failed amqp.connection_lost")
        #expect(outcome["second"] == nil)
        _ = machine.connected()
        let again = machine.commands(taking: []).compactMap { machine.step(for: $0) }
        guard case .publish(let messages, _) = again.first else {
            Issue.record("expected the second publish, got \(again)")
            return
        }
        #expect(messages.map(\.routingKey) == ["second"])
    }

    @Test("an acknowledgement of a delivery from an old connection is not sent; one of the connection up now is")
    func deliveryTagFromOldConnection() {
        var machine = openMachine()
        #expect(machine.generation == 1)
        _ = machine.connectionLost(AMQPError(.connectionLost, "gone"))
        _ = machine.connected()
        let commands: [Command] = [
            .ack(upTo: 7, generation: 1), .nack(upTo: 8, generation: 1, requeue: true, multiple: false),
            .ack(upTo: 3, generation: 2), .nack(upTo: 4, generation: 2, requeue: false, multiple: true),
        ]
        let steps = machine.commands(taking: commands).compactMap { machine.step(for: $0) }
        #expect(steps.count == 2)
        guard case .ack(let acked) = steps[0], case .nack(let nacked, let requeue, let multiple) = steps[1] else {
            Issue.record("expected the generation-2 ack and nack, got \(steps)")
            return
        }
        #expect((acked, nacked, requeue, multiple) == (3, 4, false, true))
    }

    @Test("close while reconnecting fails every waiting publish and declaration with closed, and the thread finishes")
    func closeWhileReconnecting() {
        var machine = ConnectionStateMachine(endpointCount: 1, consumes: true)
        _ = machine.nextAction(now: 0, closeRequested: false)
        _ = machine.connectFailed(now: 0)
        let outcome = Outcomes()
        let waiting = outcome.ticket("waiting", count: 1)
        let declared = Mutex<String?>(nil)
        _ = machine.receivedWhileDisconnected([
            .publish([message("waiting")], waiting), .declare(Topology()) { result in declared.withLock { $0 = describeOutcome(result) } },
        ])
        let inMailbox = outcome.ticket("in the mailbox", count: 1)

        let r8 = machine.nextAction(now: 10, closeRequested: true)
        #expect(r8 == .close)
        machine.closed(leftover: [.publish([message("in the mailbox")], inMailbox)])
        #expect(outcome["waiting"] == "failed amqp.closed")
        #expect(outcome["in the mailbox"] == "failed amqp.closed")
        #expect(declared.withLock { $0 } == "failed amqp.closed")
        #expect(machine.subscription == .cancelled)
        let r9 = machine.nextAction(now: 20, closeRequested: true)
        #expect(r9 == .finish)
    }

    @Test("close with a connection up drains one round at least, then waits for confirms until they are in or 5 s pass")
    func closeWhileOpen() {
        var machine = openMachine()
        let r10 = machine.nextAction(now: 0, closeRequested: true)
        #expect(r10 == .drain)
        let r11 = machine.nextAction(now: 1, closeRequested: true)
        #expect(r11 == .close)  // nothing unconfirmed after the round

        var busy = openMachine()
        let outcome = Outcomes()
        let ticket = outcome.ticket("last", count: 1)
        let r12 = busy.nextAction(now: 0, closeRequested: true)
        #expect(r12 == .drain)
        _ = busy.commands(taking: [.publish([message("last")], ticket)]).compactMap { busy.step(for: $0) }
        busy.sent(ticket)
        let r13 = busy.nextAction(now: 100, closeRequested: true)
        #expect(r13 == .drain)
        let r14 = busy.nextAction(now: 5001, closeRequested: true)
        #expect(r14 == .close)
        busy.closed(leftover: [])
        #expect(outcome["last"] == "failed amqp.closed")

        var lost = openMachine()
        let unconfirmed = outcome.ticket("lost", count: 1)
        _ = lost.nextAction(now: 0, closeRequested: true)
        lost.sent(unconfirmed)
        _ = lost.connectionLost(AMQPError(.connectionLost, "gone while closing"))
        #expect(outcome["lost"] == "failed amqp.connection_lost")
        let r15 = lost.nextAction(now: 1, closeRequested: true)
        #expect(r15 == .close)
    }

    @Test("a publish whose caller gave up before it was sent is not sent, connected or not")
    func cancelledPublishIsNotSent() {
        var machine = ConnectionStateMachine(endpointCount: 1, consumes: false)
        _ = machine.nextAction(now: 0, closeRequested: false)
        _ = machine.connectFailed(now: 0)
        let outcome = Outcomes()
        let given = outcome.ticket("given up", count: 1)
        _ = machine.receivedWhileDisconnected([.publish([message("given up")], given)])
        given.fail(CancellationError())
        let alsoGiven = outcome.ticket("given up too", count: 1)
        alsoGiven.fail(CancellationError())
        _ = machine.receivedWhileDisconnected([.publish([message("given up too")], alsoGiven)])
        #expect(machine.waitingCommands == 1)
        _ = machine.nextAction(now: 100, closeRequested: false)
        _ = machine.connected()
        let resent = machine.commands(taking: []).compactMap { machine.step(for: $0) }
        #expect(resent.isEmpty)
        #expect(outcome["given up"] == "failed CancellationError")
    }

    @Test("cancelling the consumer: cancel sent while consuming, finished at once while idle or disconnected, and by a loss while cancelling")
    func consumerCancellation() {
        var consuming = ConnectionStateMachine(endpointCount: 1, consumes: true, subscribeAt: 50)
        _ = consuming.nextAction(now: 0, closeRequested: false)
        #expect(!consuming.subscribesOnConnect(now: 0))  // a standby subscribes later
        _ = consuming.connected()
        #expect(consuming.subscription == .idle)
        #expect(consuming.subscribes(now: 60))
        consuming.subscribed(tag: "ctag-1")
        guard case .cancelConsumer(let tag) = consuming.step(for: .cancelConsuming) else {
            Issue.record("expected basic.cancel")
            return
        }
        #expect(tag == "ctag-1")
        #expect(consuming.subscription == .cancelling)
        let r16 = consuming.connectionLost(AMQPError(.connectionLost, "gone"))
        #expect(r16.finishConsuming)
        #expect(consuming.subscription == .cancelled)

        var idle = ConnectionStateMachine(endpointCount: 1, consumes: true, subscribeAt: 1_000)
        _ = idle.nextAction(now: 0, closeRequested: false)
        _ = idle.connected()
        guard case .finishConsuming = idle.step(for: .cancelConsuming) else {
            Issue.record("an idle consumer finishes at once")
            return
        }
        let r17 = idle.step(for: .cancelConsuming)
        #expect(r17 == nil)  // once

        var disconnected = ConnectionStateMachine(endpointCount: 1, consumes: true)
        _ = disconnected.nextAction(now: 0, closeRequested: false)
        _ = disconnected.connectFailed(now: 0)
        let r18 = disconnected.receivedWhileDisconnected([.cancelConsuming])
        #expect(r18)
        _ = disconnected.nextAction(now: 100, closeRequested: false)
        _ = disconnected.connected()
        #expect(!disconnected.subscribes(now: 200))  // cancelled for good: not subscribed again
    }

    @Test("the real connection: a publish waiting for a broker that is not there throws CancellationError when its task is cancelled", .timeLimit(.minutes(1)))
    func cancellingAWaitingPublish() async throws {
        let port = try closedPort()
        let connection = AMQPConnection(
            configuration: try AMQPConfiguration(url: "amqp://guest:guest@127.0.0.1:\(port)/"), logger: .init(label: "test"))
        let publish = Task { try await connection.publish(message("never")) }
        try await Task.sleep(for: .milliseconds(150))
        publish.cancel()
        let result = await publish.result
        #expect(throws: CancellationError.self) { try result.get() }
        await connection.close()
    }

    // MARK: Helpers

    private func openMachine() -> ConnectionStateMachine {
        var machine = ConnectionStateMachine(endpointCount: 1, consumes: false)
        _ = machine.nextAction(now: 0, closeRequested: false)
        _ = machine.connected()
        return machine
    }

    private func message(_ key: String) -> OutgoingMessage {
        OutgoingMessage(exchange: "test", routingKey: key, body: Array(key.utf8))
    }

    /// A port nothing listens on: bound, then closed.
    private func closedPort() throws -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(bound == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// How each named publish ended: "confirmed", "failed <code>" or nil while it waits.
private final class Outcomes: Sendable {
    private let outcomes = Mutex<[String: String]>([:])

    func ticket(_ name: String, count: Int) -> PublishTicket {
        PublishTicket(count: count) { result in self.outcomes.withLock { $0[name] = describeOutcome(result) } }
    }

    subscript(name: String) -> String? { outcomes.withLock { $0[name] } }
}

private func describeOutcome(_ result: Result<Void, any Error>) -> String {
    switch result {
    case .success: return "confirmed"
    case .failure(let error as AMQPError): return "failed \(error.code)"
    case .failure(let error): return "failed \(type(of: error))"
    }
}
