import AMQPClient
import Contracts
import Foundation
import ServiceRuntime

/// How intake takes its sales. By default all replicas share one queue: the fastest, but two sales of one terminal
/// may be recorded in either order. Partitioned (`TRASTIENDA_SALES_INTAKE_PARTITIONS=N`), a consistent-hash exchange
/// spreads the sales over N queues by routing key, so every terminal's sales land in one queue, and each queue has a
/// single active consumer, handling one batch at a time: each terminal's sales are recorded in the order it sent
/// them, while replicas share the partitions. `TRASTIENDA_SALES_INTAKE_REPLICA=k/n` says which replica this is: it
/// subscribes first to partitions k, k+n, …, and to the others later, as a standby
/// (`TRASTIENDA_SALES_INTAKE_STANDBY_AFTER`, 3 s by default): a replica that starts later than that after its peers
/// finds its partitions taken and stays their standby until the active one goes.
struct IntakePartitioning: Sendable, Equatable {
    var partitions = 0
    var replica = 0
    var replicas = 1
    var standbyAfter = Duration.seconds(3)

    static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigurationError) -> IntakePartitioning {
        var partitioning = IntakePartitioning()
        if let value = try ConfigurationError.integer(
            "TRASTIENDA_SALES_INTAKE_PARTITIONS", in: environment, 0...64, expected: "0 (one shared queue) to 64")
        {
            partitioning.partitions = value
        }
        if let text = environment["TRASTIENDA_SALES_INTAKE_REPLICA"] {
            let parts = text.split(separator: "/").compactMap { Int($0) }
            guard parts.count == 2, parts[1] >= 1, (0..<parts[1]).contains(parts[0]) else {
                throw ConfigurationError(variable: "TRASTIENDA_SALES_INTAKE_REPLICA", value: text, expected: "k/n with 0 ≤ k < n, for example 0/3")
            }
            (partitioning.replica, partitioning.replicas) = (parts[0], parts[1])
        }
        if let seconds = try ConfigurationError.integer(
            "TRASTIENDA_SALES_INTAKE_STANDBY_AFTER", in: environment, 0...600, expected: "whole seconds, 0 to 600")
        {
            partitioning.standbyAfter = .seconds(seconds)
        }
        return partitioning
    }

    var queues: [String] {
        partitions == 0 ? [Queues.intakePOSSales] : (0..<partitions).map(Queues.intakePOSSalesPartition)
    }

    /// POS sales in (one queue, or the partitions behind the consistent-hash exchange); recorded sales out.
    var topology: Topology {
        let base = Topology(exchanges: [Exchanges.pos, Exchanges.salesEvents])
        guard partitions > 0 else {
            return base.merging(.consumingQueue(Queues.intakePOSSales, bindings: [(Exchanges.pos.name, RoutingKeys.allSales)]))
        }
        var topology = base.merging(
            Topology(
                exchanges: [Exchanges.posPartitions],
                exchangeBindings: [.init(destination: Exchanges.posPartitions.name, source: Exchanges.pos.name, routingKey: RoutingKeys.allSales)]))
        for queue in queues {
            // The binding key of a consistent-hash exchange is the queue's weight.
            topology = topology.merging(.consumingQueue(queue, singleActiveConsumer: true, bindings: [(Exchanges.posPartitions.name, "1")]))
        }
        return topology
    }

    /// The settings of the consumer of `queue`: in order, one batch at a time, when partitioned.
    func settings(for queue: String, index: Int, _ context: ServiceContext) -> ConsumerSettings {
        var settings = context.consumerSettings(queue: queue)
        guard partitions > 0 else { return settings }
        settings.concurrentBatches = 1
        settings.subscribeAfter = index % replicas == replica ? .zero : standbyAfter
        return settings
    }
}
