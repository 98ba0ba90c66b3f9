import XMLTree
import Foundation

/// What the simulated agency holds: per issuer, the records it booked, the last record it received (the chain's
/// end), and each envelope it was sent. In memory: the simulator is started afresh for each run.
actor AgencyLedger {
    struct Booked: Sendable, Codable {
        var issuerTaxId: String
        var seriesNumber: String
        var issueDate: String
        var operation: String
        var kind: String
        var state: String
        var fingerprint: String
        var requestId: String
        var late: Bool
        var correction: Bool
        var annulled = false
    }

    struct EnvelopeSeen: Sendable, Codable {
        var issuerTaxId: String
        var at: Date
        var records: Int
        var late: Bool
        /// Sent before the `TiempoEsperaEnvio` the previous answer gave had passed, with fewer than 1,000 records.
        var early: Bool
    }

    struct Tip: Sendable, Codable {
        var seriesNumber: String
        var issueDate: String
        var fingerprint: String
    }

    enum Mode: String, Sendable, Codable { case normal, slow, down, refuse }

    private(set) var mode = Mode.normal
    private(set) var slowMilliseconds = 0
    private var booked: [String: Booked] = [:]
    private var rejected: Set<String> = []
    /// What a refused record was answered, by its whole content: the same record sent again (after a crash of its
    /// sender, say) gets the same answer.
    private var refusals: [String: AgencyFault] = [:]
    private var tips: [String: Tip] = [:]
    private var envelopes: [EnvelopeSeen] = []
    private var nextAllowed: [String: Date] = [:]
    private var faults: [Int: Int] = [:]
    private var requests = 0
    let rules: AgencyRules
    let waitSeconds: Int
    /// Where what it booked is kept between runs (as the agency keeps it), if anywhere.
    let stateFile: String?

    /// What is kept between runs: the booked records and each issuer's last record.
    private struct State: Codable {
        var booked: [String: Booked]
        var rejected: Set<String>
        var tips: [String: Tip]
    }

    init(rules: AgencyRules, waitSeconds: Int, stateFile: String? = nil) {
        self.rules = rules
        self.waitSeconds = waitSeconds
        self.stateFile = stateFile
        if let stateFile, let data = FileManager.default.contents(atPath: stateFile), let state = try? JSONDecoder().decode(State.self, from: data) {
            booked = state.booked
            rejected = state.rejected
            tips = state.tips
        }
    }

    private func save() {
        guard let stateFile, let data = try? JSONEncoder().encode(State(booked: booked, rejected: rejected, tips: tips)) else { return }
        try? data.write(to: URL(fileURLWithPath: stateFile), options: .atomic)
    }

    func set(mode: Mode, slowMilliseconds: Int) {
        self.mode = mode
        self.slowMilliseconds = slowMilliseconds
    }

    struct Line: Sendable {
        var record: SubmittedRecord
        var state: String
        var fault: AgencyFault?
        var duplicateOf: Booked?
    }

    struct Answer: Sendable {
        var requestId: String
        var csv: String?
        var lines: [Line]
    }

    /// Books what an envelope carries, record by record in order, and says how each stands.
    func submit(_ envelope: Envelope) -> Answer {
        requests += 1
        let requestId = String(format: "%020d", requests)
        let now = Date()
        let early = envelope.records.count < 1000 && (nextAllowed[envelope.issuerTaxId].map { now < $0 } ?? false)
        envelopes.append(EnvelopeSeen(issuerTaxId: envelope.issuerTaxId, at: now, records: envelope.records.count, late: envelope.incident, early: early))
        nextAllowed[envelope.issuerTaxId] = now.addingTimeInterval(Double(waitSeconds))
        var lines: [Line] = []
        for record in envelope.records {
            let line = book(record, envelope: envelope, requestId: requestId)
            if let fault = line.fault { faults[fault.rawValue, default: 0] += 1 }
            lines.append(line)
        }
        save()
        let anyBooked = lines.contains { $0.state != "Incorrecto" }
        return Answer(requestId: requestId, csv: anyBooked ? "CSV\(requestId.suffix(12))SIM" : nil, lines: lines)
    }

    private func book(_ record: SubmittedRecord, envelope: Envelope, requestId: String) -> Line {
        func refuse(_ fault: AgencyFault, duplicateOf: Booked? = nil) -> Line {
            Line(record: record, state: "Incorrecto", fault: fault, duplicateOf: duplicateOf)
        }
        if record.issuerTaxId != envelope.issuerTaxId { return refuse(.issuerMismatch) }
        let key = record.key
        let bookedKey = record.operation == .annulment ? "annulment|" + key : key
        // A record the agency holds already, sent again: duplicate, whatever else it says.
        if let existing = booked[bookedKey], !record.correction || existing.fingerprint == record.fingerprint {
            return refuse(record.operation == .annulment ? .alreadyAnnulled : .duplicate, duplicateOf: existing)
        }
        if let fault = refusals[record.content] { return refuse(fault) }
        guard AgencyFingerprint.of(record) == record.fingerprint else { return refuse(.fingerprint) }
        let tip = tips[record.issuerTaxId]
        let linked =
            if let tip {
                !record.firstInChain && record.previousFingerprint == tip.fingerprint && record.previousSeriesNumber == tip.seriesNumber
                    && record.previousIssueDate == tip.issueDate
            } else {
                record.firstInChain
            }
        guard linked else { return refuse(.chain) }
        // The record is the chain's new end, whatever its content: the issuer's next record links to it.
        tips[record.issuerTaxId] = Tip(seriesNumber: record.seriesNumber, issueDate: record.issueDate, fingerprint: record.fingerprint)
        if mode == .refuse { return reject(record, .refused, key: bookedKey) }
        switch record.operation {
        case .alta:
            if record.previousRejection == "S" && !record.correction { return reject(record, .correctionFlags, key: bookedKey) }
            if record.correction && record.previousRejection == "S" && !rejected.contains(key) {
                return reject(record, .correctionFlags, key: bookedKey)
            }
            if record.correction && record.previousRejection != "S" && booked[key] == nil { return reject(record, .correctionFlags, key: bookedKey) }
            if let fault = rules.check(record) { return reject(record, fault, key: bookedKey) }
        case .annulment:
            if booked[key] == nil && !record.withoutPriorRecord { return reject(record, .annulledUnknown, key: bookedKey) }
            booked[key]?.annulled = true
        }
        rejected.remove(bookedKey)
        booked[bookedKey] = Booked(
            issuerTaxId: record.issuerTaxId, seriesNumber: record.seriesNumber, issueDate: record.issueDate, operation: record.operation.rawValue,
            kind: record.kind, state: "Correcto", fingerprint: record.fingerprint, requestId: requestId, late: envelope.incident,
            correction: record.correction)
        return Line(record: record, state: "Correcto", fault: nil, duplicateOf: nil)
    }

    private func reject(_ record: SubmittedRecord, _ fault: AgencyFault, key: String) -> Line {
        rejected.insert(key)
        refusals[record.content] = fault
        return Line(record: record, state: "Incorrecto", fault: fault, duplicateOf: nil)
    }

    func envelopeFault(_ fault: AgencyFault) { faults[fault.rawValue, default: 0] += 1 }

    struct Summary: Sendable, Codable {
        var mode: Mode
        var waitSeconds: Int
        var booked: [Booked]
        var envelopes: [EnvelopeSeen]
        var faults: [String: Int]
    }

    func summary() -> Summary {
        Summary(
            mode: mode, waitSeconds: waitSeconds,
            booked: booked.values.sorted { ($0.issuerTaxId, $0.seriesNumber, $0.operation) < ($1.issuerTaxId, $1.seriesNumber, $1.operation) },
            envelopes: envelopes, faults: Dictionary(uniqueKeysWithValues: faults.map { (String($0.key), $0.value) }))
    }
}
