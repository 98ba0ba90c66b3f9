import AMQPClient
import Testing

@Suite("AMQP URLs and topology")
struct AMQPConfigurationTests {
    @Test("a full amqp URL gives host, port, credentials, vhost and heartbeat")
    func fullURL() throws {
        let configuration = try AMQPConfiguration(url: "amqp://intake:s%40cret@broker.local:5673/shop%2Fone?heartbeat=15")
        #expect(configuration.host == "broker.local")
        #expect(configuration.port == 5673)
        #expect(configuration.user == "intake")
        #expect(configuration.password == "s@cret")
        #expect(configuration.virtualHost == "shop/one")
        #expect(configuration.heartbeatSeconds == 15)
        #expect(configuration.tls == nil)
    }

    @Test("defaults: port 5672, vhost /, guest")
    func defaults() throws {
        let configuration = try AMQPConfiguration(url: "amqp://localhost")
        #expect(configuration.port == 5672)
        #expect(configuration.virtualHost == "/")
        #expect(configuration.user == "guest")
    }

    @Test("amqps turns on TLS with port 5671 and the CA file")
    func tls() throws {
        let configuration = try AMQPConfiguration(url: "amqps://u:p@broker/?cacertfile=/etc/ssl/ca.pem")
        #expect(configuration.port == 5671)
        #expect(configuration.tls?.caCertificateFile == "/etc/ssl/ca.pem")
    }

    @Test("bad URLs are refused with a reason", arguments: [
        "http://localhost", "not a url", "amqp://localhost/a/b", "amqp://localhost?heartbeat=soon", "amqp://localhost?color=blue",
    ])
    func refused(url: String) {
        #expect(throws: AMQPError.self) { try AMQPConfiguration(url: url) }
    }

    @Test("a cluster is a list of nodes: the first is tried first, the others in order")
    func clusterNodes() throws {
        let configuration = try AMQPConfiguration(url: "amqp://svc:secret@node1:5681,node2:5682,node3/shop?heartbeat=10")
        #expect(configuration.host == "node1" && configuration.port == 5681)
        #expect(configuration.endpoints.map { "\($0.host):\($0.port)" } == ["node1:5681", "node2:5682", "node3:5681"])
        #expect(configuration.virtualHost == "shop" && configuration.user == "svc" && configuration.heartbeatSeconds == 10)
        #expect(configuration.at(configuration.endpoints[1]).port == 5682)
        #expect(try AMQPConfiguration(url: "amqp://localhost").endpoints.count == 1)
        #expect(throws: AMQPError.self) { try AMQPConfiguration(url: "amqp://u:p@a:5672,:5673/") }
        #expect(throws: AMQPError.self) { try AMQPConfiguration(url: "amqp://u:p@a:5672,b:x/") }
    }

    @Test("the password is hidden in logs")
    func redaction() {
        #expect(AMQPConfiguration.redacted("amqp://u:secret@h/") == "amqp://u:***@h/")
    }

    @Test("a consuming queue comes with its dead-letter queue, its retry queue, limit and bindings")
    func consumingQueue() {
        let topology = Topology.consumingQueue("billing.sale-recorded", deliveryLimit: 5, bindings: [("sales.events", "sale.recorded.#")])
        #expect(topology.queues.map(\.name) == ["billing.sale-recorded", "billing.sale-recorded.dead-letter", "billing.sale-recorded.retry"])
        #expect(topology.queues[2].deadLetterExchange == "", "expired retries go back through the default exchange…")
        #expect(topology.queues[2].deadLetterRoutingKey == "billing.sale-recorded", "…to the queue they came from")
        #expect(topology.queues[0].deliveryLimit == 5)
        #expect(topology.queues[0].deadLetterExchange == "dead-letters")
        #expect(topology.bindings.contains(.init(queue: "billing.sale-recorded.dead-letter", exchange: "dead-letters", routingKey: "billing.sale-recorded")))
        #expect(topology.bindings.contains(.init(queue: "billing.sale-recorded", exchange: "sales.events", routingKey: "sale.recorded.#")))
        #expect(topology.merging(topology) == topology)
    }
}
