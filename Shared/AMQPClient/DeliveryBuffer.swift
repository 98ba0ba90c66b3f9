import Synchronization

/// Deliveries handed from a connection's thread to the async consumer loop.
final class DeliveryBuffer: Sendable {
    private struct State {
        var items: [Delivery] = []
        var head = 0
        var waiter: CheckedContinuation<Void, Never>?
        /// The waiter wants this many deliveries before it is woken.
        var wanted = 1
        /// No more deliveries will come: the consumer was cancelled or the connection closed.
        var finished = false
        var count: Int { items.count - head }
    }

    private let state = Mutex(State())

    func append(_ deliveries: [Delivery]) {
        guard !deliveries.isEmpty else { return }
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.count == 0 {
                state.items = deliveries  // adopt the array: no copying of elements on the hot path
                state.head = 0
            } else {
                state.items.append(contentsOf: deliveries)
            }
            guard state.count >= state.wanted else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Forgets deliveries from connections older than `generation`: their tags can no longer be acknowledged, and the
    /// broker will deliver them again.
    func discard(olderThan generation: UInt64) {
        state.withLock { state in
            state.items = state.items[state.head...].filter { $0.connectionGeneration >= generation }
            state.head = 0
        }
    }

    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// True once finished and emptied.
    var isDrained: Bool { state.withLock { $0.finished && $0.count == 0 } }

    var availableCount: Int { state.withLock { $0.count } }

    /// Takes up to `maximum` deliveries that are waiting, without waiting.
    func take(maximum: Int) -> [Delivery] {
        state.withLock { state in
            let count = min(maximum, state.count)
            guard count > 0 else { return [] }
            if state.head == 0, count == state.items.count {
                defer { state.items = [] }
                return state.items
            }
            let taken = Array(state.items[state.head..<(state.head + count)])
            state.head += count
            if state.head == state.items.count {
                state.items.removeAll(keepingCapacity: true)
                state.head = 0
            } else if state.head > 4096 {
                state.items.removeFirst(state.head)
                state.head = 0
            }
            return taken
        }
    }

    /// Returns when `count` deliveries are waiting, the buffer is finished, or the task is cancelled.
    func waitForDeliveries(count: Int = 1) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.count >= count || state.finished || Task.isCancelled { return true }
                    state.waiter = continuation
                    state.wanted = count
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            wakeWaiter()
        }
    }

    /// Returns when `count` deliveries are waiting or `timeout` has passed, whichever comes first.
    func waitForDeliveries(count: Int, timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForDeliveries(count: count) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                if !Task.isCancelled { self.wakeWaiter() }
            }
            await group.next()
            group.cancelAll()
        }
    }

    private func wakeWaiter() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }
}
