import Foundation
import PostgresClient
import ServiceRuntime
import Testing
import TrastiendaTesting

@testable import collections

@Suite("The audit trail")
struct AuditTrailTests {
    @Test("a write-off made with ana's token is in collections' trail with ana, the time and the receivable; the trail cannot be changed by the service's own role; auditors read it, store managers do not")
    func writeOffAudited() async throws {
        try await CollectionsHarness.with { harness in
            try await harness.issue([document("S001-2026/7", deferred: 1_000)])
            var id: Int?
            #expect(await eventually {
                let listed = pageItems(try? await harness.json("GET", "/receivables?status=open").value) ?? []
                id = listed.first { $0["invoiceNumber"] as? String == "S001-2026/7" }?["id"] as? Int
                return id != nil
            })
            let receivable = try #require(id)
            let ana = try await TestTokens.token([.accountant], subject: "ana")
            let before = Date().addingTimeInterval(-2)
            let writeOff = try await harness.service.request("POST", "/receivables/\(receivable)/write-off", body: #"{"reason":"customer insolvent"}"#, token: ana)
            #expect(writeOff.status == 200, "\(writeOff.body)")

            let auditor = try await TestTokens.token([.auditor], subject: "eva")
            let trail = try await harness.service.request("GET", "/audit", token: auditor)
            #expect(trail.status == 200, "\(trail.body)")
            let page = try #require(try JSONSerialization.jsonObject(with: Data(trail.body.utf8)) as? [String: Any])
            let items = page["items"] as? [[String: Any]] ?? []
            let entry = try #require(items.first { $0["action"] as? String == "receivable.written_off" }, "\(trail.body)")
            #expect(entry["subject"] as? String == "ana")
            #expect(entry["target"] as? String == "receivable \(receivable)")
            #expect(entry["details"] as? String == "customer insolvent")
            let at = ISO8601DateFormatter()
            at.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            let when = try #require((entry["at"] as? String).flatMap(at.date(from:)))
            #expect(when >= before && when <= Date().addingTimeInterval(2), "\(when)")
            let manager = try await TestTokens.token([.storeManager], stores: ["S001"])
            #expect(try await harness.service.request("GET", "/audit", token: manager).status == 403)

            let database = Database(.init(url: harness.service.databaseURL, searchPath: "collections", poolSize: 1), logger: TestInfrastructure.logger)
            defer { database.close() }
            for statement in ["UPDATE audit_trail SET subject = 'mallory'", "DELETE FROM audit_trail", "TRUNCATE audit_trail"] {
                await #expect(throws: PostgresError.self, "\(statement)") { try await database.query(statement) }
            }
            let after = try await harness.service.request("GET", "/audit", token: auditor)
            let kept = (try JSONSerialization.jsonObject(with: Data(after.body.utf8)) as? [String: Any])?["items"] as? [[String: Any]] ?? []
            #expect(kept.contains { $0["subject"] as? String == "ana" }, "still there, unchanged")
        }
    }
}
