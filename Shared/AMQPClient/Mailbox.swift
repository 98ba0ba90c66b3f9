import CRabbitMQShim
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What async code asks of a connection's thread.
enum Command: Sendable {
    case publish([OutgoingMessage], PublishTicket)
    case declare(Topology, Completion)
    case ack(upTo: UInt64, generation: UInt64)
    case nack(upTo: UInt64, generation: UInt64, requeue: Bool, multiple: Bool)
    case cancelConsuming
    /// Deliveries the consumer is done with, dropped on the connection's thread, which allocated them: glibc frees
    /// another thread's memory under that thread's arena lock, and the frees refill this thread's own cache.
    case release([Delivery])
}

/// Commands for a connection's thread, and an eventfd that wakes it from `poll` when one arrives.
final class Mailbox: Sendable {
    private let commands = Mutex<[Command]>([])
    let wakeDescriptor: Int32

    init() {
        wakeDescriptor = trastienda_wake_descriptor()
        precondition(wakeDescriptor >= 0, "eventfd failed: errno \(errno)")
    }

    deinit { Glibc.close(wakeDescriptor) }

    func send(_ command: Command) {
        commands.withLock { $0.append(command) }
        wake()
    }

    /// Queues `command` without waking the thread: it runs with the next command or frame.
    func post(_ command: Command) {
        commands.withLock { $0.append(command) }
    }

    func wake() {
        var one: UInt64 = 1
        _ = Glibc.write(wakeDescriptor, &one, 8)
    }

    func takeAll() -> [Command] {
        commands.withLock { commands in
            defer { commands.removeAll(keepingCapacity: true) }
            return commands
        }
    }

    func clearWakeSignal() {
        var value: UInt64 = 0
        _ = Glibc.read(wakeDescriptor, &value, 8)
    }
}

/// What is called once when a declaration (or a whole publish) is done: success, or why not.
typealias Completion = @Sendable (Result<Void, any Error>) -> Void

/// One call to publish: completes when the broker has confirmed every message in it, or fails (also when the
/// caller's task is cancelled: messages not sent by then are not sent, and confirms of those sent are ignored).
final class PublishTicket: Sendable {
    private struct State {
        var remaining: Int
        var nacked = 0
        var completion: Completion?
    }

    private let state: Mutex<State>

    init(count: Int, completion: @escaping Completion) {
        state = Mutex(State(remaining: count, completion: completion))
    }

    /// Completed (or failed) already: nothing waits for its messages any more.
    var isSettled: Bool { state.withLock { $0.completion == nil } }

    func confirm(acknowledged: Bool) {
        let (completion, nacked) = state.withLock { state -> (Completion?, Int) in
            if !acknowledged { state.nacked += 1 }
            state.remaining -= 1
            guard state.remaining == 0 else { return (nil, 0) }
            defer { state.completion = nil }
            return (state.completion, state.nacked)
        }
        guard let completion else { return }
        if nacked == 0 {
            completion(.success(()))
        } else {
            completion(.failure(AMQPError(.nacked, "the broker refused \(nacked) message(s) (basic.nack)")))
        }
    }

    func fail(_ error: any Error) {
        let completion = state.withLock { state in
            defer { state.completion = nil }
            return state.completion
        }
        completion?(.failure(error))
    }
}
