import ServiceRuntime
import Testing

@testable import collections

/// Collections' rules without a database: aging buckets, how a payment is spread, dunning levels and their messages.
@Suite("Aging, allocation and dunning")
struct ReceivablesRulesTests {
    @Test("every day past due falls in exactly one aging bucket, at the bounds too")
    func agingBuckets() {
        for days in -400...400 {
            #expect(Aging.buckets.filter { $0.contains(daysOverdue: days) }.count == 1, "\(days) days")
        }
        let cases: [(Int, String)] = [
            (-30, "notYetDue"), (0, "notYetDue"), (1, "days1to30"), (30, "days1to30"), (31, "days31to60"), (60, "days31to60"),
            (61, "days61to90"), (90, "days61to90"), (91, "over90"), (3650, "over90"),
        ]
        for (days, name) in cases { #expect(Aging.bucket(daysOverdue: days).name == name, "\(days) days") }
        #expect(Aging.buckets[1].condition(days: "d") == "d BETWEEN 1 AND 30")
        #expect(Aging.buckets[0].condition(days: "d") == "d <= 0")
        #expect(Aging.buckets[4].condition(days: "d") == "d >= 91")
    }

    @Test("a payment pays the receivables in order, each at most what it owes, skips the settled, and leaves the rest as credit")
    func allocation() {
        #expect(
            PaymentAllocation.plan(amountCents: 10_000, outstandingCents: [3_000, 0, 5_000, 4_000])
                == .init(takes: [.init(index: 0, cents: 3_000), .init(index: 2, cents: 5_000), .init(index: 3, cents: 2_000)], creditCents: 0))
        #expect(PaymentAllocation.plan(amountCents: 1_000, outstandingCents: [300]) == .init(takes: [.init(index: 0, cents: 300)], creditCents: 700))
        #expect(PaymentAllocation.plan(amountCents: 500, outstandingCents: []) == .init(takes: [], creditCents: 500))
        #expect(PaymentAllocation.plan(amountCents: 1, outstandingCents: [1, 1]) == .init(takes: [.init(index: 0, cents: 1)], creditCents: 0))
        let plan = PaymentAllocation.plan(amountCents: 123_457, outstandingCents: [100_000, 23_456, 9])
        #expect(plan.takes.map(\.cents).reduce(0, +) + plan.creditCents == 123_457)  // not a cent lost or made
    }

    @Test("dunning levels are kept numbered by their days overdue; a list out of bounds is refused with the rule")
    func dunningLevels() throws {
        func level(_ days: Int64, _ name: String = "x") -> Dunning.Level { .init(level: 9, daysOverdue: days, name: name, template: "t") }
        let checked = try Dunning.checked([level(30, "second"), level(7, "first"), level(60, "third")])
        #expect(checked.map(\.level) == [1, 2, 3])
        #expect(checked.map(\.name) == ["first", "second", "third"])
        for refused in [[], [level(7), level(7)], [level(0)], [level(3, "")], Array(repeating: level(1), count: 11)] {
            #expect(throws: Refusal(.invalid, Dunning.levelsRule)) { try Dunning.checked(refused) }
        }
        #expect(throws: Refusal.self) {
            try Dunning.checked([.init(level: 1, daysOverdue: 5, name: "long", template: String(repeating: "x", count: 2001))])
        }
    }

    @Test("a reminder's message fills in the customer, invoice, amount in euros, due date and days")
    func reminderMessage() {
        let message = Dunning.render(
            "{customer}: {invoice} owes {outstanding} EUR since {due} ({days} days)", customer: "Bar Pepe", invoice: "T01-2026/7",
            outstandingCents: 123_405, due: "2026-11-01", days: 30)
        #expect(message == "Bar Pepe: T01-2026/7 owes 1234.05 EUR since 2026-11-01 (30 days)")
        #expect(Dunning.render("{outstanding}", customer: "", invoice: "", outstandingCents: -5, due: "", days: 0) == "-0.05")
    }
}
