import AMQPClient
import ArgumentParser
import Contracts
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// A fleet of simulated POS terminals publishing `pos.sale.v1` with confirms: demo data and load.
@main
struct PosSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pos-sim",
        abstract: "Simulated POS terminals publishing sales to Trastienda, with a report of rate and latency.")

    @Option(help: "Broker URL.")
    var url = ProcessInfo.processInfo.environment["TRASTIENDA_AMQP_URL"] ?? "amqp://trastienda:trastienda@localhost:5672/"
    @Option(help: "Number of stores.") var stores = 10
    @Option(help: "Terminals per store.") var terminals = 4
    @Option(help: "Sales to publish in all.") var sales = 1000
    @Option(help: "Sales per second across the fleet; 0 publishes as fast as the broker confirms.") var rate = 0
    @Option(help: "Seconds to run at --rate instead of a number of sales.") var duration: Int?
    @Option(help: "Share of sales that are invalid (0–1).") var invalidShare = 0.0
    @Option(help: "Share of sales published twice (0–1).") var duplicateShare = 0.0
    @Option(help: "Share of sales that look odd (0–1): emoji, longest fields, far offsets, which are recorded; NUL and escape characters, year 0000, lone surrogates, a field twice, which are refused.")
    var oddShare = 0.0
    @Option(help: "Share of returns (0–1).") var returnShare = 0.05
    @Option(help: "Share of sales to a customer who asks for a full invoice (0–1).") var customerShare = 0.10
    @Option(help: "Of the sales to customers, the share put on account (0–1).") var deferredShare = 0.25
    @Option(help: "Date the sales this many days back (within intake's window for late sales).") var daysAgo = 0
    @Option(help: "Seed for the random sales (and their ids), to repeat a run exactly; by default a new one each run.")
    var seed: UInt64?
    @Flag(help: "Measure publish-to-sale.recorded latency (needs sales intake running).") var measureLatency = false
    @Option(help: "With --measure-latency, seconds to wait for the last announcements.") var settleTimeout = 60
    @Flag(help: "Never draw a progress bar.") var quiet = false
    @Flag(help: "Each terminal opens a shift for its own cashier (C-<terminal>) before its first sale and closes it after its last.")
    var shifts = false
    @Flag(help: "Each terminal opens its till (a float, cash paid in and out) before its first sale and closes it after its last, with the cash counted and the receipts it sent.")
    var tills = false
    @Option(help: "With --tills, the share of terminals (0–1) whose counted cash is short.") var tillShortShare = 0.0
    @Option(help: "With --tills, how short those drawers are, in cents.") var tillShortCents: Int64 = 500
    @Option(help: "With --tills, sales per terminal made before the close but sent after it (a terminal that was offline).")
    var lateSales = 0
    @Option(help: "With --late-sales, seconds to wait after the close before sending them.") var lateDelay = 5

    func run() async throws {
        var logger = Logger(label: "pos-sim")
        logger.logLevel = .error
        let amqp = try AMQPConfiguration(url: url, connectionName: "pos-sim")
        let connection = AMQPConnection(configuration: amqp, topology: Topology(exchanges: [Exchanges.pos]), logger: logger)
        let probe = measureLatency ? LatencyProbe(configuration: amqp, logger: logger) : nil
        let progress = Progress(total: duration.map { $0 * max(rate, 1) } ?? sales, enabled: !quiet && isatty(1) != 0)
        var generator = SaleGenerator(
            stores: stores, terminalsPerStore: terminals, seed: seed ?? UInt64.random(in: 0...UInt64.max), shares: .init(returns: returnShare, customers: customerShare, deferredOfCustomers: deferredShare))
        generator.backdating = TimeInterval(daysAgo) * 86_400
        generator.cashierPerTerminal = shifts || tills
        let till: Tills? = tills ? Tills(
            terminals: generator.terminals,
            shortTerminals: Set(generator.terminals.map(\.terminal).filter { _ in generator.roll(tillShortShare) }), shortCents: tillShortCents) : nil
        if let till { generator.tillSessions = till.sessions }
        let fleet = Fleet(generator: generator, invalidShare: invalidShare, duplicateShare: duplicateShare, oddShare: oddShare, tills: till)
        let shiftIds = generator.terminals.map { _ in UUID().uuidString.lowercased() }
        let opened = Date()
        if shifts { try await publishShifts(generator.terminals, ids: shiftIds, opened: true, at: opened, on: connection) }
        if let till { try await Self.publishWithRetry(till.opened(at: opened), on: connection) }

        let report: Report = try await withThrowingTaskGroup(of: Void.self) { group in
            if let probe { group.addTask { try await probe.consumer.run() } }
            if let probe { _ = await waitUntil(seconds: 10) { probe.consumer.isConnected } }
            let report = try await publish(fleet: fleet, connection: connection, probe: probe, progress: progress)
            if let probe {
                _ = await waitUntil(seconds: settleTimeout) {
                    progress.show(announced: probe.announcedCount)
                    return probe.announcedCount >= report.validUnique
                }
            }
            group.cancelAll()
            return report
        }
        progress.finish()
        var tillReport = ""
        if let till {
            let closing = Date(timeIntervalSince1970: max(Date().timeIntervalSince1970.rounded(.down), opened.timeIntervalSince1970.rounded(.down) + 1))
            // Late sales were made before the close: their cash is in the drawer when it is counted.
            let late = lateSales > 0 ? fleet.late(lateSales, at: closing.addingTimeInterval(-1), terminals: generator.terminals) : []
            try await Self.publishWithRetry(till.cashMoves(at: closing) + till.closed(at: closing), on: connection)
            if !late.isEmpty {
                try await Task.sleep(for: .seconds(lateDelay))
                try await Self.publishWithRetry(late, on: connection)
            }
            tillReport = "\n" + till.report + (late.isEmpty ? "" : ", sent after the close: \(late.count)")
        }
        var shiftReport = ""
        if shifts {
            let closed = Date(timeIntervalSince1970: max((Date().timeIntervalSince1970).rounded(.down), opened.timeIntervalSince1970.rounded(.down) + 1))
            try await publishShifts(generator.terminals, ids: shiftIds, opened: false, at: closed, on: connection)
            let seconds = Int(closed.timeIntervalSince1970.rounded(.down) - opened.timeIntervalSince1970.rounded(.down))
            shiftReport = "\nshifts: \(shiftIds.count), seconds each: \(seconds)"
        }
        await connection.close()
        print(report.text(probe: probe) + tillReport + shiftReport)
    }

    /// Opens (or closes) one shift per terminal for its cashier, with confirms.
    private func publishShifts(
        _ terminals: [(store: String, terminal: String)], ids: [String], opened: Bool, at date: Date, on connection: AMQPConnection
    ) async throws {
        let encoder = JSONEncoder()
        try await connection.publish(
            try zip(terminals, ids).map { place, id in
                let event = ShiftEventV1(
                    shiftId: id, employeeId: SaleGenerator.cashier(of: place.terminal), storeId: place.store, terminalId: place.terminal,
                    at: SaleGenerator.timestamp(date))
                return OutgoingMessage(
                    exchange: Exchanges.pos.name, routingKey: event.routingKey(opened: opened), body: Array(try encoder.encode(event)),
                    properties: MessageProperties(type: opened ? ShiftEventV1.openedType : ShiftEventV1.closedType, messageId: "\(id)-\(opened)"))
            })
    }

    /// Publishes the whole run: paced by --rate, or as fast as confirms come back with a few batches in flight.
    private func publish(fleet: Fleet, connection: AMQPConnection, probe: LatencyProbe?, progress: Progress) async throws -> Report {
        let started = ContinuousClock.now
        let batch = rate > 0 ? max(1, rate / 100) : 250  // paced: every 10 ms; flat out: 250 a call
        let total = duration.map { $0 * max(rate, 1) } ?? sales
        let report = ReportBox(Report(started: started))
        try await withThrowingTaskGroup(of: Void.self) { group in
            var produced = 0
            var inFlight = 0
            while produced < total {
                let count = min(batch, total - produced)
                let messages = fleet.next(count)
                produced += count
                if rate > 0 {
                    let due = started + .milliseconds(produced * 1000 / rate)
                    if due > .now { try await Task.sleep(until: due) }
                }
                if inFlight >= 4 {
                    try await group.next()
                    inFlight -= 1
                }
                inFlight += 1
                group.addTask {
                    probe?.published(messages.validIds, at: .now)
                    try await Self.publishWithRetry(messages.outgoing, on: connection)
                    let confirmed = report.state.withLock { report in
                        report.add(messages)
                        return report.confirmed
                    }
                    progress.show(confirmed: confirmed, announced: probe?.announcedCount)
                }
            }
            try await group.waitForAll()
        }
        return report.state.withLock { report in
            report.finished = .now
            return report
        }
    }

    private static func publishWithRetry(_ messages: [OutgoingMessage], on connection: AMQPConnection) async throws {
        for attempt in 1... {
            do {
                return try await connection.publish(messages)
            } catch let error as AMQPError where (error.code == .connectionLost || error.code == .nacked) && attempt < 30 {
                // Lost with the connection, or refused while a cluster elects a new queue leader: publish again
                // (intake records a sale once, however often it comes).
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    private func waitUntil(seconds: Int, _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }
}

/// The fleet's messages: sales, a share of broken ones, and a share sent twice.
final class Fleet: Sendable {
    struct Messages: Sendable {
        var outgoing: [OutgoingMessage] = []
        var validIds: [String] = []
        var invalid = 0
        var duplicates = 0
    }

    private let state: Mutex<SaleGenerator>
    private let invalidShare: Double
    private let duplicateShare: Double
    private let oddShare: Double
    private let tills: Tills?

    init(generator: SaleGenerator, invalidShare: Double, duplicateShare: Double, oddShare: Double = 0, tills: Tills? = nil) {
        state = Mutex(generator)
        self.invalidShare = invalidShare
        self.duplicateShare = duplicateShare
        self.oddShare = oddShare
        self.tills = tills
    }

    /// `count` valid sales per terminal made at `date`, to be sent later (counted in the drawer, not as sent).
    func late(_ count: Int, at date: Date, terminals: [(store: String, terminal: String)]) -> [OutgoingMessage] {
        let encoder = JSONEncoder()
        return state.withLock { generator in
            terminals.flatMap { place in
                (0..<count).map { _ in
                    let sale = generator.next(now: date, at: place)
                    tills?.count(sale, late: true)
                    return OutgoingMessage(
                        exchange: Exchanges.pos.name, routingKey: sale.routingKey, body: Array((try? encoder.encode(sale)) ?? Data()),
                        properties: MessageProperties(type: POSSaleV1.messageType, messageId: sale.saleId))
                }
            }
        }
    }

    func next(_ count: Int) -> Messages {
        let encoder = JSONEncoder()
        let now = Date()
        let timestamp = Int64(now.timeIntervalSince1970)
        return state.withLock { generator in
            var messages = Messages()
            for _ in 0..<count {
                var sale = generator.next(now: now)
                var broken = generator.roll(invalidShare)
                if broken { sale.total += 1 }  // a total that does not add up
                var refusal: (@Sendable (String) -> String)?
                if !broken, generator.roll(oddShare) {
                    let kind = generator.pick(below: OddSales.legal.count + OddSales.refused.count)
                    if kind < OddSales.legal.count {
                        OddSales.legal[kind].change(&sale, now)
                    } else {
                        refusal = OddSales.refused[kind - OddSales.legal.count].change
                        broken = true
                    }
                }
                if broken { generator.forget(sale.saleId) }  // no return will name it
                var body = Array((try? encoder.encode(sale)) ?? Data())
                if let refusal { body = Array(refusal(String(decoding: body, as: UTF8.self)).utf8) }
                let message = OutgoingMessage(
                    exchange: Exchanges.pos.name, routingKey: sale.routingKey, body: body,
                    properties: MessageProperties(
                        type: POSSaleV1.messageType, messageId: sale.saleId, timestamp: timestamp,
                        headers: ["traceparent": .string(Self.traceparent(sale.saleId))]))
                messages.outgoing.append(message)
                if broken {
                    messages.invalid += 1
                } else {
                    messages.validIds.append(sale.saleId)
                    tills?.count(sale)
                    if generator.roll(duplicateShare) {
                        messages.outgoing.append(message)
                        messages.duplicates += 1
                    }
                }
            }
            return messages
        }
    }

    /// A W3C trace context whose trace id is the sale id's hex.
    private static func traceparent(_ saleId: String) -> String {
        "00-\(saleId.replacingOccurrences(of: "-", with: ""))-\(saleId.prefix(8))00000000-01"
    }
}

final class ReportBox: Sendable {
    let state: Mutex<Report>
    init(_ report: Report) { state = Mutex(report) }
}

/// What a run did.
struct Report: Sendable {
    let started: ContinuousClock.Instant
    var finished: ContinuousClock.Instant?
    var published = 0
    var confirmed = 0
    var invalid = 0
    var duplicates = 0
    var validUnique = 0

    mutating func add(_ messages: Fleet.Messages) {
        published += messages.outgoing.count
        confirmed += messages.outgoing.count
        invalid += messages.invalid
        duplicates += messages.duplicates
        validUnique += messages.validIds.count
    }

    func text(probe: LatencyProbe?) -> String {
        let elapsed = (finished ?? .now) - started
        let seconds = max(elapsed.secondsValue, 1e-9)
        var lines = [
            "sent: \(published) (\(validUnique) valid sales, \(invalid) invalid, \(duplicates) duplicates)",
            "confirmed: \(confirmed)",
            "elapsed s: \(String(format: "%.2f", seconds))",
            "rate sales/s: \(Int(Double(published) / seconds))",
        ]
        if let probe {
            lines += [
                "announced: \(probe.announcedCount) of \(validUnique)",
                "latency p50 ms: \(String(format: "%.1f", probe.milliseconds(atPercentile: 50)))",
                "latency p90 ms: \(String(format: "%.1f", probe.milliseconds(atPercentile: 90)))",
                "latency p99 ms: \(String(format: "%.1f", probe.milliseconds(atPercentile: 99)))",
                "latency max ms: \(String(format: "%.1f", probe.maximumMilliseconds))",
            ]
        }
        return lines.joined(separator: "\n")
    }
}

/// A one-line progress bar on a terminal, redrawn at most five times a second.
final class Progress: Sendable {
    private struct State {
        var confirmed = 0
        var announced: Int?
        var lastDrawn = ContinuousClock.now - .seconds(1)
    }

    private let total: Int
    private let enabled: Bool
    private let state = Mutex(State())
    private let started = ContinuousClock.now

    init(total: Int, enabled: Bool) {
        self.total = max(1, total)
        self.enabled = enabled
    }

    func show(confirmed: Int? = nil, announced: Int? = nil) {
        guard enabled else { return }
        let line: String? = state.withLock { state in
            if let confirmed { state.confirmed = confirmed }
            if let announced { state.announced = announced }
            guard ContinuousClock.now - state.lastDrawn > .milliseconds(200) else { return nil }
            state.lastDrawn = .now
            let width = 30
            let filled = min(width, state.confirmed * width / total)
            let elapsed = Double((ContinuousClock.now - started).components.seconds) + 1e-3
            var text = "\r[" + String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled) + "] "
            text += "\(state.confirmed * 100 / total)% confirmed \(state.confirmed)/\(total)"
            if let announced = state.announced { text += " recorded \(announced)" }
            text += " (\(Int(Double(state.confirmed) / elapsed))/s)   "
            return text
        }
        if let line { FileHandle.standardOutput.write(Data(line.utf8)) }
    }

    func finish() {
        if enabled { FileHandle.standardOutput.write(Data("\n".utf8)) }
    }
}
