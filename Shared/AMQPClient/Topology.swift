/// The exchanges, queues and bindings a service relies on, declared (idempotently) on every (re)connection.
public struct Topology: Sendable, Equatable {
    public var exchanges: [Exchange]
    public var queues: [Queue]
    public var bindings: [Binding]
    /// Exchange-to-exchange bindings (`source` routes into `destination`).
    public var exchangeBindings: [ExchangeBinding]

    public init(exchanges: [Exchange] = [], queues: [Queue] = [], bindings: [Binding] = [], exchangeBindings: [ExchangeBinding] = []) {
        self.exchanges = exchanges
        self.queues = queues
        self.bindings = bindings
        self.exchangeBindings = exchangeBindings
    }

    public struct ExchangeBinding: Sendable, Hashable {
        public var destination: String
        public var source: String
        public var routingKey: String
        public init(destination: String, source: String, routingKey: String) {
            self.destination = destination
            self.source = source
            self.routingKey = routingKey
        }
    }

    /// The union of two topologies; declarations are idempotent, so repeats are harmless but dropped.
    public func merging(_ other: Topology) -> Topology {
        Topology(
            exchanges: (exchanges + other.exchanges).uniqued(),
            queues: (queues + other.queues).uniqued(),
            bindings: (bindings + other.bindings).uniqued(),
            exchangeBindings: (exchangeBindings + other.exchangeBindings).uniqued())
    }

    /// A durable exchange.
    public struct Exchange: Sendable, Hashable {
        public enum Kind: String, Sendable {
            case topic, direct, fanout
            /// The consistent-hash exchange plugin's: each message goes to one bound queue, chosen by its routing key.
            case consistentHash = "x-consistent-hash"
        }
        public var name: String
        public var kind: Kind
        public init(_ name: String, kind: Kind = .topic) {
            self.name = name
            self.kind = kind
        }
    }

    /// A queue: durable quorum queues (with a dead-letter exchange and delivery limit, or plain parking queues), or
    /// a transient one for a tool that only listens while it runs.
    public struct Queue: Sendable, Hashable {
        public enum Kind: Sendable, Hashable {
            /// Durable, replicated, survives restarts: every queue a service consumes.
            case quorum
            /// Classic, not durable, deleted when its last consumer goes (probes such as pos-sim's latency listener).
            case transient
        }

        public var name: String
        public var kind: Kind
        /// Messages returned this many times are dead-lettered instead of redelivered again.
        public var deliveryLimit: Int?
        /// Where rejected, over-delivered and expired messages go (`""` is the default exchange, which routes to the
        /// queue named by the key).
        public var deadLetterExchange: String?
        /// The routing key they go with; the queue's own name when nil.
        public var deadLetterRoutingKey: String?
        /// Only one consumer receives at a time (the others wait as standbys): messages are handled in order.
        public var singleActiveConsumer = false

        public init(
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

    public struct Binding: Sendable, Hashable {
        public var queue: String
        public var exchange: String
        public var routingKey: String
        public init(queue: String, exchange: String, routingKey: String) {
            self.queue = queue
            self.exchange = exchange
            self.routingKey = routingKey
        }
    }

    /// The exchange every service's dead letters go to, routed by the name of the queue they left.
    public static let deadLetterExchange = Exchange("dead-letters", kind: .direct)

    /// The name of the queue that parks the dead letters of `queue`.
    public static func deadLetterQueueName(for queue: String) -> String { "\(queue).dead-letter" }

    /// The name of the queue where messages of `queue` wait out their retry delay (each message carries its own
    /// expiration) before they go back to `queue`.
    public static func retryQueueName(for queue: String) -> String { "\(queue).retry" }

    /// A consuming queue with its dead-letter queue and its retry queue: quorum, a delivery limit, bound to
    /// `bindings`.
    public static func consumingQueue(
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
