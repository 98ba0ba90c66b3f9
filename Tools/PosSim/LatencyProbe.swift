import AMQPClient
import Contracts
import Foundation
import Histogram
import Logging
import Synchronization

/// Listens to `sale.recorded` and measures, for each sale, the time from its publication to its announcement.
final class LatencyProbe: Sendable {
    private struct State {
        var published: [String: ContinuousClock.Instant] = [:]
        var histogram = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
        var announced = Set<String>()
    }

    private struct Announcement: Decodable {
        struct Sale: Decodable { let saleId: String }
        let sales: [Sale]
    }

    private let measurements = Measurements()
    let consumer: AMQPConsumer

    private final class Measurements: Sendable {
        let state = Mutex(State())
    }

    init(configuration: AMQPConfiguration, logger: Logger) {
        let queue = "pos-sim.latency.\(UUID().uuidString.prefix(8).lowercased())"
        let topology = Topology(
            exchanges: [Exchanges.salesEvents], queues: [.init(name: queue, kind: .transient)],
            bindings: [.init(queue: queue, exchange: Exchanges.salesEvents.name, routingKey: RoutingKeys.allSalesRecorded)])
        let measurements = self.measurements
        consumer = AMQPConsumer(
            configuration: configuration.named("pos-sim-latency"),
            settings: ConsumerSettings(queue: queue, prefetch: 2000, batchSize: 200, batchWait: .zero), topology: topology,
            logger: logger
        ) { batch in
            let now = ContinuousClock.now
            let decoder = JSONDecoder()
            let ids = batch.flatMap { (try? decoder.decode(Announcement.self, from: Data($0.body)).sales.map(\.saleId)) ?? [] }
            measurements.state.withLock { state in
                for id in ids {
                    guard let published = state.published.removeValue(forKey: id), state.announced.insert(id).inserted else { continue }
                    let elapsed = now - published
                    let microseconds = elapsed.wholeMicroseconds
                    state.histogram.record(UInt64(max(0, microseconds)))
                }
            }
            return []
        }
    }

    func published(_ saleIds: [String], at instant: ContinuousClock.Instant) {
        measurements.state.withLock { state in
            for id in saleIds where !state.announced.contains(id) { state.published[id] = instant }
        }
    }

    var announcedCount: Int { measurements.state.withLock { $0.announced.count } }

    /// Milliseconds at a percentile of publish-to-announcement latency.
    func milliseconds(atPercentile percentile: Double) -> Double {
        measurements.state.withLock { Double($0.histogram.valueAtPercentile(percentile)) / 1000 }
    }

    var maximumMilliseconds: Double { measurements.state.withLock { Double($0.histogram.max) / 1000 } }
}
