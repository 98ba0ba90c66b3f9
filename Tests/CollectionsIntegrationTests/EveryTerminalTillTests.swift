import AMQPClient
import Contracts
import Foundation
import Testing
import ServiceRuntime
import TrastiendaTesting

@testable import collections

/// A terminal's first session, when its sales' documents are read before its `till.opened` (a backlog drained after
/// an outage): kept for it when every terminal keeps tills, not by default (see docs/collections.md).
@Suite("Tills kept by every terminal")
struct EveryTerminalTillTests {
    @Test("with TRASTIENDA_COLLECTIONS_EVERY_TERMINAL_KEEPS_TILL=1 a first session gets the sale read before its till.opened; by default it does not")
    func firstSession() async throws {
        for every in [true, false] {
            var settings = CollectionsHarness.settings
            settings.everyTerminalKeepsTill = every
            settings.tillSettle = .seconds(every ? 300 : 0)
            try await CollectionsHarness.with(settings: settings) { harness in
                var sale = document("S001-2026/1", deferred: 0, paidAtTill: 500, issued: "2026-10-01")
                sale.receiptNumber = 7
                sale.occurredAt = "2026-10-01T10:05:00+02:00"
                try await harness.issue([sale])
                #expect(await eventually {
                    guard let stats = try? await harness.json("GET", "/stats").value as? [String: Any] else { return false }
                    return stats.values.contains { (($0 as? [String: Any])?["handled"] as? Int ?? 0) >= 1 }  // {"<consumer>": {"handled": …}}
                }, "the document was read")
                try await harness.billing.publish([
                    SaleFixtures.tillMessage(
                        TillOpenedV1(sessionId: "Z-1", storeId: "S001", terminalId: "S001-T01", openedAt: "2026-10-01T10:00:00+02:00", openingFloat: 10_000, cashierId: nil)),
                    SaleFixtures.tillMessage(
                        TillClosedV1(
                            sessionId: "Z-1", storeId: "S001", terminalId: "S001-T01", closedAt: "2026-10-01T18:00:00+02:00", countedCash: 10_000,
                            cardTotal: 500, voucherTotal: 0, receipts: 1)),
                ])
                var report: [String: Any] = [:]
                #expect(await eventually(timeout: .seconds(30)) {
                    guard let sessions = try? await harness.json("GET", "/tills/sessions?status=reported").value as? [String: Any],
                        let id = (sessions["items"] as? [[String: Any]])?.first?["id"] as? Int,
                        let answer = try? await harness.json("GET", "/tills/sessions/\(id)/z-report").value as? [String: Any]
                    else { return false }
                    report = answer["zReport"] as? [String: Any] ?? [:]
                    return true
                }, "the Z report was issued")
                let card = (report["methods"] as? [[String: Any]] ?? []).first { $0["method"] as? String == "card" }
                if every {
                    #expect(report["documents"] as? Int == 1 && report["invoiceNumbers"] as? [String] == ["S001-2026/1"], "\(report)")
                    #expect(card?["differenceCents"] as? Int == 0)
                } else {
                    #expect(report["documents"] as? Int == 0, "by default the sale read before the first session is not kept: \(report)")
                    #expect(card?["differenceCents"] as? Int == 500)
                }
            }
        }
    }
}

@Suite("Collections' settings")
struct CollectionsSettingsTests {
    @Test("every terminal keeps its till: off by default, 1 or 0, anything else refused")
    func everyTerminal() throws {
        #expect(try !CollectionsSettings.load(environment: [:]).everyTerminalKeepsTill)
        #expect(try CollectionsSettings.load(environment: ["TRASTIENDA_COLLECTIONS_EVERY_TERMINAL_KEEPS_TILL": "1"]).everyTerminalKeepsTill)
        #expect(throws: ConfigurationError.self) { try CollectionsSettings.load(environment: ["TRASTIENDA_COLLECTIONS_EVERY_TERMINAL_KEEPS_TILL": "yes"]) }
    }
}
