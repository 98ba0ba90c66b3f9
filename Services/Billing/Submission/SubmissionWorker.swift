import Foundation
import Logging
import PostgresClient
import ServiceLifecycle

/// Billing's submission to the tax agency, beside its consumers in every replica: it leases one issuer at a time
/// (replicas never send the same records together), sends the next envelope of up to 1,000 of its records, and
/// stores the answer per record. Nothing is lost to a crash: the records are in the database, and a replica that
/// dies between sending and storing leaves its lease to run out; the envelope is sent again and the agency's
/// duplicate answer (`RegistroDuplicado`) is taken for the acceptance it reports.
struct SubmissionWorker: Service {
    let database: Database
    let settings: AgencySettings
    let logger: Logger
    let owner = "billing-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))"
    let client: AgencyClient
    let status: VerifactuStatus

    init(database: Database, settings: AgencySettings, logger: Logger) {
        self.database = database
        self.settings = settings
        self.logger = logger
        client = AgencyClient(settings: settings)
        status = VerifactuStatus(database: database, settings: settings)
    }

    func run() async throws {
        guard settings.url != nil else {
            logger.notice("VERI*FACTU submission is off: TRASTIENDA_BILLING_AGENCY_URL is not set")
            return
        }
        var certificates: [String: IssuerCertificate] = [:]
        var lastScan = ContinuousClock.now - .seconds(60)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            if ContinuousClock.now - lastScan >= .seconds(10) {
                certificates = settings.issuersWithCertificates()
                lastScan = .now
                try? await status.publishMetrics()
            }
            let sent: Bool
            do {
                sent = try await submitOnce(certificates: certificates)
            } catch {
                logger.warning("VERI*FACTU submission failed; will try again", metadata: ["error": "\(error)"])
                sent = false
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
            }
            if !sent { try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(250)) } }
        }
        await client.shutdown()
    }

    /// Sends one envelope if an issuer may send now; returns whether it tried.
    func submitOnce(certificates: [String: IssuerCertificate]) async throws -> Bool {
        let owner = owner
        let leaseLength = settings.lease
        guard let lease = try await database.withConnection({
            try SubmissionStore.lease(among: certificates.keys.sorted(), owner: owner, lease: leaseLength, on: $0)
        }) else { return false }
        guard !lease.records.isEmpty, let certificate = certificates[lease.issuerTaxId] else {
            try await database.withConnection { try SubmissionStore.release(lease, owner: owner, on: $0) }
            return false
        }
        let late = lease.lateThrough >= lease.nextPosition
        let envelope = SubmissionEnvelope.text(issuerTaxId: lease.issuerTaxId, issuerName: lease.issuerName, late: late, records: lease.records)
        let reply: AgencyClient.Reply
        do {
            reply = try await client.post(envelope, issuer: lease.issuerTaxId, certificate: certificate)
        } catch {
            try await fail(lease, "the agency could not be reached: \(error)", incident: true)
            return true
        }
        switch AgencyAnswer.read(reply.body) {
        case nil:
            try await fail(lease, "HTTP \(reply.status) without an answer", incident: true)
        case .refused(let code, let description):
            logger.error("The agency refused an envelope whole", metadata: ["issuer": "\(lease.issuerTaxId)", "code": "\(code ?? 0)", "fault": "\(description)"])
            try await fail(lease, "refused whole: \(description)", incident: false)
        case .answered(let answer):
            guard answer.lines.count == lease.records.count,
                zip(answer.lines, lease.records).allSatisfy({ $0.seriesNumber == "\($1.series)/\($1.number)" })
            else {
                try await fail(lease, "the answer's \(answer.lines.count) lines do not match the \(lease.records.count) records sent", incident: false)
                return true
            }
            let outcomes = zip(answer.lines, lease.records).map { line, record in
                let state = line.recordState
                let kept = state == line.state
                return SubmissionStore.Outcome(
                    record: record, state: state, csv: nil, errorCode: kept ? line.errorCode : nil,
                    errorDescription: kept ? line.errorDescription : "already booked by the agency (\(line.duplicateState ?? ""))")
            }
            let wait = Duration.seconds(answer.waitSeconds)
            let stored = try await database.transaction {
                try SubmissionStore.store(outcomes, lease: lease, owner: owner, late: late, csv: answer.csv, wait: wait, on: $0)
            }
            let rejected = outcomes.filter { $0.state == "Incorrecto" }
            logger.info(
                "VERI*FACTU envelope answered",
                metadata: [
                    "issuer": "\(lease.issuerTaxId)", "records": "\(outcomes.count)", "rejected": "\(rejected.count)", "state": "\(answer.state)",
                    "late": "\(late)", "stored": "\(stored)",
                ])
            for outcome in rejected.prefix(10) {
                logger.warning(
                    "The agency rejected a record",
                    metadata: [
                        "record": "\(outcome.record.series)/\(outcome.record.number)", "code": "\(outcome.errorCode ?? 0)",
                        "reason": "\(outcome.errorDescription ?? "")",
                    ])
            }
        }
        return true
    }

    private func fail(_ lease: SubmissionStore.Lease, _ error: String, incident: Bool) async throws {
        let owner = owner
        let maximum = settings.maximumRetry
        logger.warning("VERI*FACTU envelope not answered; will try again", metadata: ["issuer": "\(lease.issuerTaxId)", "error": "\(error)"])
        try await database.withConnection { connection in
            let failures = try SubmissionStore.failures(of: lease.issuerTaxId, on: connection)
            let retry = min(Duration.milliseconds(500) * (1 << min(failures, 10)), maximum)
            try SubmissionStore.failed(lease, owner: owner, error: error, incident: incident, retry: retry, on: connection)
        }
    }
}
