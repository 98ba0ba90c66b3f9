/// The exchanges, queues and bindings a service relies on, declared (idempotently) on every (re)connection.
package struct Topology: Sendable, Equatable {
    package var exchanges: [Exchange]
    package var queues: [Queue]
    package var bindings: [Binding]
    /// Exchange-to-exchange bindings (`source` routes into `destination`).
    package var exchangeBindings: [ExchangeBinding]

    package init(exchanges: [Exchange] = [], queues: [Queue] = [], bindings: [Binding] = [], exchangeBindings: [ExchangeBinding] = []) {
        self.exchanges = exchanges
        self.queues = queues
        self.bindings = bindings
        self.exchangeBindings = exchangeBindings
    }

    package struct ExchangeBinding: Sendable, Hashable {
        package var destination: String
        package var source: String
        package var routingKey: String
        package init(destination: String, source: String, routingKey: String) {
            self.destination = destination
            self.source = source
            self.routingKey = routingKey
        }
    }

    /// The union of two topologies; declarations are idempotent, so repeats are harmless but dropped.
    package func merging(_ other: Topology) -> Topology {
        Topology(
            exchanges: (exchanges + other.exchanges).uniqued(),
            queues: (queues + other.queues).uniqued(),
            bindings: (bindings + other.bindings).uniqued(),
            exchangeBindings: (exchangeBindings + other.exchangeBindings).uniqued())
    }

    /// A durable exchange.
    package struct Exchange: Sendable, Hashable {
        package enum Kind: String, Sendable {
            case topic, direct, fanout
            /// The consistent-hash exchange plugin's: each message goes to one bound queue, chosen by its routing key.
            case consistentHash = "x-consistent-hash"
        }
        package var name: String
        package var kind: Kind
        package init(_ name: String, kind: Kind = .topic) {
            self.name = name
            self.kind = kind
        }
    }

    /// A queue: durable quorum queues (with a dead-letter exchange and delivery limit, or plain parking queues), or
    /// a transient one for a tool that only listens while it runs.
    package struct Queue: Sendable, Hashable {
        package enum Kind: Sendable, Hashable {
            /// Durable, replicated, survives restarts: every queue a service consumes.
            case quorum
            /// Classic, not durable, deleted when its last consumer goes (probes such as pos-sim's latency listener).
            case transient
        }

        package var name: String
        package var kind: Kind
        /// Messages returned this many times are dead-lettered instead of redelivered again.
        package var deliveryLimit: Int?
        /// Where rejected, over-delivered and expired messages go (`""` is the default exchange, which routes to the
        /// queue named by the key).
        package var deadLetterExchange: String?
        /// The routing key they go with; the queue's own name when nil.
        package var deadLetterRoutingKey: String?
        /// Only one consumer receives at a time (the others wait as standbys): messages are handled in order.
        package var singleActiveConsumer = false

        package init(
            name: String, kind: Kind = .quorum, deliveryLimit: Int? = nil, deadLetterExchange: String? = nil,
            deadLetterRoutingKey: String? = nil
        ) {
            self.name = name
            self.kind = kind
            self.deliveryLimit = deliveryLimit
            self.deadLetterExchange = deadLetterExchange
            self.deadLetterRoutingKey = deadLetterRoutingKey
        }
    }

    package struct Binding: Sendable, Hashable {
        package var queue: String
        package var exchange: String
        package var routingKey: String
        package init(queue: String, exchange: String, routingKey: String) {
            self.queue = queue
            self.exchange = exchange
            self.routingKey = routingKey
        }
    }

    /// The exchange every service's dead letters go to, routed by the name of the queue they left.
    package static let deadLetterExchange = Exchange("dead-letters", kind: .direct)

    /// The name of the queue that parks the dead letters of `queue`.
    package static func deadLetterQueueName(for queue: String) -> String { "\(queue).dead-letter" }

    /// The name of the queue where messages of `queue` wait out their retry delay (each message carries its own
    /// expiration) before they go back to `queue`.
    package static func retryQueueName(for queue: String) -> String { "\(queue).retry" }

    /// A consuming queue with its dead-letter queue and its retry queue: quorum, a delivery limit, bound to
    /// `bindings`.
    package static func consumingQueue(
        _ name: String, deliveryLimit: Int = 20, singleActiveConsumer: Bool = false, bindings: [(exchange: String, routingKey: String)]
    ) -> Topology {
        let deadLetterQueue = deadLetterQueueName(for: name)
        return Topology(
            exchanges: [deadLetterExchange],
            queues: [
                {
                    var queue = Queue(name: name, deliveryLimit: deliveryLimit, deadLetterExchange: deadLetterExchange.name)
                    queue.singleActiveConsumer = singleActiveConsumer
                    return queue
                }(),
                Queue(name: deadLetterQueue),
                Queue(name: retryQueueName(for: name), deadLetterExchange: "", deadLetterRoutingKey: name),
            ],
            bindings: [Binding(queue: deadLetterQueue, exchange: deadLetterExchange.name, routingKey: name)]
                + bindings.map { Binding(queue: name, exchange: $0.exchange, routingKey: $0.routingKey) })
    }
}

extension Array where Element: Hashable {
    fileprivate func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
