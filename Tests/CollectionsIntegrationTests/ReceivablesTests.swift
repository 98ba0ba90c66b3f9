import AMQPClient
import Contracts
import Foundation
import Testing
import TrastiendaTesting

@testable import collections

@Suite("Collections: receivables, payments, aging, write-offs")
struct ReceivablesTests {
    func receivable(_ harness: CollectionsHarness, _ number: String) async throws -> [String: Any]? {
        for status in ["open", "paid", "written_off", "cancelled"] {
            let listed = pageItems(try await harness.json("GET", "/receivables?status=\(status)").value) ?? []
            if let found = listed.first(where: { $0["invoiceNumber"] as? String == number }) { return found }
        }
        return nil
    }

    func outstanding(_ harness: CollectionsHarness, _ number: String) async throws -> Int64? {
        (try await receivable(harness, number)?["outstandingCents"] as? NSNumber)?.int64Value
    }

    func pay(_ harness: CollectionsHarness, _ id: String, _ cents: Int64, invoice: String? = nil, customer: String = "B12345678") async throws
        -> (status: Int, value: Any?, text: String)
    {
        let named = invoice.map { #","invoiceNumber":"\#($0)""# } ?? ""
        return try await harness.json("POST", "/payments", body: #"{"paymentId":"\#(id)","customerTaxId":"\#(customer)","amountCents":\#(cents)\#(named)}"#)
    }

    @Test("partial payments, oldest first, a named invoice first, an overpayment kept as credit and used for the next invoice")
    func payments() async throws {
        try await CollectionsHarness.with { harness in
            // Cash at the till is not collections' business; only the deferred part opens a receivable.
            try await harness.issue([
                document("S001-2026/1", deferred: 1_000, paidAtTill: 250, issued: "2026-10-01"),
                document("S001-2026/2", deferred: 2_000, issued: "2026-10-15"),
                document("S001-2026/3", deferred: 500, issued: "2026-11-01"),
            ])
            #expect(await eventually { (try? await outstanding(harness, "S001-2026/3")) == 500 })
            #expect(try await outstanding(harness, "S001-2026/1") == 1_000)
            let first = try await receivable(harness, "S001-2026/1")
            #expect(first?["dueDate"] as? String == "2026-10-31", "30 days by default")

            // 1,500 with no invoice named: the oldest first.
            #expect(try await pay(harness, "P-1", 1_500).status == 201)
            #expect(try await outstanding(harness, "S001-2026/1") == 0)
            #expect(try await receivable(harness, "S001-2026/1")?["status"] as? String == "paid")
            #expect(try await outstanding(harness, "S001-2026/2") == 1_500)
            // 800 naming invoice 3: it is settled first (500), the rest goes to the oldest open one.
            let named = try await pay(harness, "P-2", 800, invoice: "S001-2026/3")
            #expect(named.text.contains(#""invoiceNumber":"S001-2026\/3""#) || named.text.contains(#""invoiceNumber":"S001-2026/3""#), "\(named.text)")
            #expect(try await outstanding(harness, "S001-2026/3") == 0)
            #expect(try await outstanding(harness, "S001-2026/2") == 1_200)
            // The same payment again changes nothing.
            #expect(try await pay(harness, "P-2", 800, invoice: "S001-2026/3").status == 200)
            #expect(try await outstanding(harness, "S001-2026/2") == 1_200)
            // 1,500 for 1,200 owed: 300 of credit, which pays the next invoice.
            let over = try await pay(harness, "P-3", 1_500)
            #expect((over.value as? [String: Any])?["creditCents"] as? Int == 300)
            try await harness.issue([document("S001-2026/4", deferred: 400, issued: "2026-11-20")])
            #expect(await eventually { (try? await outstanding(harness, "S001-2026/4")) == 100 })
            // A credit note on account lowers its invoice; what was paid beyond it goes back to credit.
            try await harness.issue([document("R-S001-2026/1", deferred: -400, issued: "2026-11-21", corrects: "S001-2026/4")])
            #expect(await eventually { (try? await receivable(harness, "S001-2026/4"))?["status"] as? String == "paid" })
            let customer = try await harness.json("GET", "/customers/B12345678").value as? [String: Any]
            #expect((customer?["creditCents"] as? NSNumber)?.int64Value == 300)
            let statement = try await harness.json("GET", "/customers/B12345678/statement").value as? [String: Any]
            // Invoices 1,000 + 2,000 + 500 + 400, credit note −400, payments −1,500 −800 −1,500: −300 (in the customer's favour).
            #expect((statement?["balanceCents"] as? NSNumber)?.int64Value == -300)
            #expect((statement?["entries"] as? [[String: Any]])?.count == 8)

            // Refused with a reason: an unknown customer, a negative amount, an invoice of another customer.
            let unknown = try await pay(harness, "P-4", 100, customer: "X9999999")
            #expect(unknown.status == 404 && unknown.text.contains("no customer"))
            #expect(try await pay(harness, "P-5", -100).status == 400)
            #expect(try await pay(harness, "P-6", 100, invoice: "S009-2026/1").status == 400)

            #expect(await eventually { harness.events("receivable.paid").count == 4 })
            #expect(harness.events("receivable.opened").count == 4)
        }
    }

    @Test("a cancellation puts the account where it would be without the document: a cancelled invoice is no longer owed and what was paid pays the rest; a cancelled credit note's amount is taken back or owed; a cancellation before its document keeps it off; each once")
    func cancellations() async throws {
        try await CollectionsHarness.with { harness in
            func cancelled(_ number: String, kind: String = "F1", reason: String = "issued by mistake") throws -> OutgoingMessage {
                let parts = number.split(separator: "/")
                let event = InvoiceCancelledV1(
                    number: number, series: String(parts[0]), sequence: Int64(parts[1])!, kind: kind, issuerTaxId: "89890001K", storeId: "S001",
                    terminalId: "S001-T01", reason: reason, fingerprint: "A", previousFingerprint: "B", generatedAt: "2026-11-02T10:00:00+01:00")
                return OutgoingMessage(
                    exchange: Exchanges.billingEvents.name, routingKey: event.routingKey, body: Array(try JSONEncoder().encode(event)),
                    properties: MessageProperties(type: InvoiceCancelledV1.messageType, messageId: "outbox-\(number)"))
            }
            func credit() async throws -> Int64? {
                ((try await harness.json("GET", "/customers/B12345678").value as? [String: Any])?["creditCents"] as? NSNumber)?.int64Value
            }
            func status(_ number: String) async -> String? { (try? await receivable(harness, number))?["status"] as? String }
            func balance() async throws -> Int64? {
                ((try await harness.json("GET", "/customers/B12345678/statement").value as? [String: Any])?["balanceCents"] as? NSNumber)?.int64Value
            }
            try await harness.issue([
                document("S001-2026/1", deferred: 1_000, issued: "2026-10-01"),
                document("S001-2026/3", deferred: 500, issued: "2026-10-02"),
                document("R-S001-2026/1", deferred: -200, issued: "2026-10-03", corrects: "S001-2026/3"),
            ])
            #expect(await eventually { (try? await outstanding(harness, "S001-2026/3")) == 300 })
            #expect(try await pay(harness, "P-1", 300, invoice: "S001-2026/1").status == 201)
            #expect(try await outstanding(harness, "S001-2026/1") == 700)

            // Invoice 1 cancelled (twice): not owed; the 300 paid towards it pays invoice 3.
            try await harness.billing.publish([try cancelled("S001-2026/1"), try cancelled("S001-2026/1", reason: "again")])
            #expect(await eventually { await status("S001-2026/1") == "cancelled" })
            #expect(try await outstanding(harness, "S001-2026/1") == 0)
            #expect(await status("S001-2026/3") == "paid")
            #expect(try await credit() == 0)
            #expect(await eventually { harness.events("receivable.cancelled").count == 1 })
            let event = try JSONDecoder().decode(ReceivableEventV1.self, from: Data(try #require(harness.events("receivable.cancelled").first).body))
            #expect(event.invoiceNumber == "S001-2026/1" && event.outstandingCents == 0 && event.reason == "issued by mistake")
            let aging = pageItems(try await harness.json("GET", "/aging").value) ?? []
            #expect(aging.allSatisfy { ($0["total"] as? NSNumber)?.int64Value == 0 }, "nothing is owed: \(aging)")

            // Invoice 4 cancelled before collections read it, then the credit note: its 200 is owed again (no credit
            // to take it from). One queue, in order: once that is seen, invoice 4's cancellation is kept.
            try await harness.billing.publish([try cancelled("S001-2026/4"), try cancelled("R-S001-2026/1", kind: "R1")])
            #expect(await eventually { (try? await outstanding(harness, "R-S001-2026/1")) == 200 })
            #expect(try await balance() == 200)

            // Invoice 4's document comes now: it never reaches the account.
            try await harness.issue([document("S001-2026/4", deferred: 900, issued: "2026-10-04"), document("S001-2026/5", deferred: 50, issued: "2026-10-05")])
            #expect(await eventually { (try? await outstanding(harness, "S001-2026/5")) == 50 })
            #expect(try await receivable(harness, "S001-2026/4") == nil)

            // Invoice 3 (paid) cancelled: its 500 pays invoice 5, then what its credit note's cancellation made owed; 250 is left.
            try await harness.billing.publish([try cancelled("S001-2026/3")])
            #expect(await eventually { await status("S001-2026/3") == "cancelled" })
            #expect(await status("S001-2026/5") == "paid")
            #expect(await status("R-S001-2026/1") == "paid")
            #expect(try await credit() == 250)

            // An invoice and its credit note, both cancelled: the account is back where it was.
            try await harness.issue([
                document("S001-2026/6", deferred: 100, issued: "2026-10-06"),
                document("R-S001-2026/2", deferred: -30, issued: "2026-10-07", corrects: "S001-2026/6"),
            ])
            #expect(await eventually { (try? await credit()) == 180 }, "invoice 6 paid from credit, its credit note's 30 back on it")
            try await harness.billing.publish([try cancelled("S001-2026/6"), try cancelled("R-S001-2026/2", kind: "R1")])
            #expect(await eventually { await status("S001-2026/6") == "cancelled" })
            #expect(await eventually { (try? await credit()) == 250 })
            #expect(try await receivable(harness, "R-S001-2026/2") == nil)
            #expect(try await balance() == -250, "what the account holds in credit")
            #expect(pageItems(try await harness.json("GET", "/receivables?status=open").value)?.isEmpty == true)
            #expect(pageItems(try await harness.json("GET", "/receivables?status=cancelled").value)?.count == 3)
            let statement = try await harness.json("GET", "/customers/B12345678/statement").value as? [String: Any]
            let kinds = (statement?["entries"] as? [[String: Any]])?.compactMap { $0["kind"] as? String } ?? []
            #expect(kinds.filter { $0 == "cancellation" }.count == 5, "\(kinds)")

            // Not a cancellation: parked with its reason; nothing changes.
            let parked = Seen()
            try await running([
                collector(
                    harness.service.amqp, queue: Topology.deadLetterQueueName(for: Queues.collectionsInvoiceCancelled), topology: Collections.topology,
                    into: parked)
            ]) {
                try await harness.billing.publish([
                    OutgoingMessage(
                        exchange: Exchanges.billingEvents.name, routingKey: "invoice.cancelled.S001.S001-T01", body: Array(#"{"number":"S001-2026/5"}"#.utf8),
                        properties: MessageProperties(type: InvoiceCancelledV1.messageType, messageId: "broken"))
                ])
                #expect(await eventually { parked.count == 1 })
            }
            #expect(parked.all.first?.properties.headers[Rejection.codeHeader] == .string("collections.malformed_cancellation"))
            #expect(try await credit() == 250)
            #expect(await status("S001-2026/5") == "paid")

            // A written-off invoice cancelled: the write-off is answered too, and what was paid becomes credit.
            try await harness.issue([document("S002-2026/1", customer: "A87654321", deferred: 1_000, store: "S002")])
            #expect(await eventually { (try? await outstanding(harness, "S002-2026/1")) == 1_000 })
            #expect(try await pay(harness, "P-A", 400, customer: "A87654321").status == 201)
            let lost = try #require((try await receivable(harness, "S002-2026/1"))?["id"] as? Int)
            #expect(try await harness.json("POST", "/receivables/\(lost)/write-off", body: #"{"reason":"insolvent"}"#).status == 200)
            try await harness.billing.publish([try cancelled("S002-2026/1")])
            #expect(await eventually { await status("S002-2026/1") == "cancelled" })
            let other = try await harness.json("GET", "/customers/A87654321").value as? [String: Any]
            #expect((other?["creditCents"] as? NSNumber)?.int64Value == 400)
            let otherStatement = try await harness.json("GET", "/customers/A87654321/statement").value as? [String: Any]
            #expect((otherStatement?["balanceCents"] as? NSNumber)?.int64Value == -400, "invoice, payment, write-off and cancellation: 400 in credit")
        }
    }

    @Test("documents queued in the per-invoice form are booked as batched ones; a broken document in a batch is parked alone, its neighbours booked")
    func documentForms() async throws {
        try await CollectionsHarness.with { harness in
            try await harness.billing.publish([CollectionsHarness.queuedAlone(document("S001-2026/1", deferred: 700))])
            #expect(await eventually { (try? await outstanding(harness, "S001-2026/1")) == 700 })
            // Sent again in the batch form: the same document, booked once.
            try await harness.issue([document("S001-2026/1", deferred: 700)])
            let parked = Seen()
            var broken = Array(document("S001-2026/3", deferred: 300).json())
            broken.replaceSubrange(broken.firstRange(of: Array(#""totalCents":300"#.utf8))!, with: Array(#""totalCents":"300""#.utf8))
            try await running([
                collector(
                    harness.service.amqp, queue: Topology.deadLetterQueueName(for: Queues.collectionsInvoiceIssued), topology: Collections.topology,
                    into: parked)
            ]) {
                let batch = InvoicesIssuedV1(
                    storeId: "S001", documents: [document("S001-2026/2", deferred: 200).json()[...], broken[...], document("S001-2026/4", deferred: 400).json()[...]])
                try await harness.billing.publish([
                    batch.message(firstNumber: "S001-2026/2"),
                    OutgoingMessage(
                        exchange: Exchanges.billingEvents.name, routingKey: InvoicesIssuedV1.routingKey(storeId: "S001"), body: Array(#"{"storeId":"S001"}"#.utf8),
                        properties: MessageProperties(type: InvoicesIssuedV1.messageType, messageId: "nothing")),
                ])
                #expect(await eventually(timeout: .seconds(20)) { parked.count == 2 })
            }
            #expect(try await outstanding(harness, "S001-2026/1") == 700, "booked once")
            #expect(try await outstanding(harness, "S001-2026/2") == 200)
            #expect(try await outstanding(harness, "S001-2026/4") == 400)
            let reasons = parked.all.compactMap { delivery -> String? in
                guard case .string(let reason) = delivery.properties.headers[Rejection.reasonHeader] else { return nil }
                return reason
            }
            #expect(reasons.contains { $0.contains("totalCents") }, "\(reasons)")
            #expect(reasons.contains { $0.contains("documents") }, "\(reasons)")
            #expect(parked.all.contains { (try? InvoicesIssuedV1.parse($0.body))?.documents.map { Array($0) } == [broken] })
        }
    }

    @Test("a payment message is recorded once; a bad one is dead-lettered with its reason")
    func paymentMessages() async throws {
        try await CollectionsHarness.with { harness in
            try await harness.issue([document("S001-2026/1", deferred: 1_000)])
            #expect(await eventually { (try? await outstanding(harness, "S001-2026/1")) == 1_000 })
            func message(_ payment: PaymentReceivedV1) throws -> OutgoingMessage {
                OutgoingMessage(
                    exchange: Exchanges.collectionsCommands.name, routingKey: PaymentReceivedV1.routingKey, body: Array(try JSONEncoder().encode(payment)),
                    properties: MessageProperties(type: PaymentReceivedV1.messageType, messageId: payment.paymentId))
            }
            let parked = Seen()
            try await running([
                collector(harness.service.amqp, queue: Topology.deadLetterQueueName(for: Queues.collectionsPayments), topology: Collections.topology, into: parked)
            ]) {
                let good = PaymentReceivedV1(paymentId: "BANK-1", customerTaxId: "B12345678", amountCents: 600)
                try await harness.billing.publish([
                    try message(good), try message(good),
                    try message(PaymentReceivedV1(paymentId: "BANK-2", customerTaxId: "B12345678", amountCents: -5)),
                    try message(PaymentReceivedV1(paymentId: "BANK-3", customerTaxId: "Z0000000", amountCents: 5)),
                ])
                #expect(await eventually { parked.count == 2 })
            }
            #expect(Set(parked.all.compactMap { $0.properties.headers[Rejection.codeHeader] }) == [.string("payment.invalid"), .string("payment.unknown_customer")])
            #expect(try await outstanding(harness, "S001-2026/1") == 400, "600 paid once")
        }
    }

    @Test("the aging report puts each receivable in its bucket; a write-off closes one and is announced")
    func agingAndWriteOff() async throws {
        try await CollectionsHarness.with { harness in
            #expect(try await harness.json("PUT", "/clock", body: #"{"today":"2026-12-31"}"#).status == 200)
            // Due dates (30 days): 2026-12-31 (not yet due), 12-16 (15 days late), 11-16 (45), 10-17 (75), 09-01 (121).
            try await harness.issue([
                document("S001-2026/1", deferred: 100, issued: "2026-12-01"),
                document("S001-2026/2", deferred: 200, issued: "2026-11-16"),
                document("S002-2026/3", deferred: 300, issued: "2026-10-17", store: "S002"),
                document("S002-2026/4", customer: "A87654321", deferred: 400, issued: "2026-09-17", store: "S002"),
                document("S002-2026/5", customer: "A87654321", deferred: 500, issued: "2026-08-02", store: "S002"),
            ])
            #expect(await eventually { (try? await outstanding(harness, "S002-2026/5")) == 500 })
            let byCustomer = pageItems(try await harness.json("GET", "/aging").value) ?? []
            func bucket(_ rows: [[String: Any]], _ key: String, _ name: String) -> Int64? {
                (rows.first { $0["key"] as? String == key }?[name] as? NSNumber)?.int64Value
            }
            #expect(bucket(byCustomer, "B12345678", "notYetDue") == 100)
            #expect(bucket(byCustomer, "B12345678", "days1to30") == 200)
            #expect(bucket(byCustomer, "B12345678", "days31to60") == 300)
            #expect(bucket(byCustomer, "A87654321", "days61to90") == 400)
            #expect(bucket(byCustomer, "A87654321", "over90") == 500)
            #expect(bucket(byCustomer, "A87654321", "total") == 900)
            #expect(bucket(byCustomer, "A87654321", "notYetDue") == 0, "an empty bucket is 0, not null")
            let byStore = pageItems(try await harness.json("GET", "/aging?by=store").value) ?? []
            #expect(bucket(byStore, "S001", "total") == 300 && bucket(byStore, "S002", "total") == 1_200)
            #expect(try await harness.json("GET", "/aging?by=terminal").status == 400)

            let lost = try #require((try await receivable(harness, "S002-2026/5"))?["id"] as? Int)
            let writeOff = try await harness.json("POST", "/receivables/\(lost)/write-off", body: #"{"reason":"customer insolvent"}"#)
            #expect(writeOff.status == 200 && writeOff.text.contains("written_off"))
            #expect(try await harness.json("POST", "/receivables/\(lost)/write-off", body: #"{"reason":"again"}"#).status == 409)
            #expect(try await harness.json("POST", "/receivables/999999/write-off", body: #"{"reason":"x"}"#).status == 404)
            #expect(await eventually { harness.events("receivable.written_off").count == 1 })
            let written = try #require(harness.events("receivable.written_off").first, "no receivable.written_off event")
            let event = try JSONDecoder().decode(ReceivableEventV1.self, from: Data(written.body))
            #expect(event.reason == "customer insolvent" && event.outstandingCents == 500)
            let after = pageItems(try await harness.json("GET", "/aging").value) ?? []
            #expect(bucket(after, "A87654321", "over90") == 0 && bucket(after, "A87654321", "total") == 400, "a bucket emptied is 0")

            #expect(try await harness.json("POST", "/customers/A87654321/notes", body: #"{"author":"Lucía","text":"Promised to pay Friday"}"#).status == 201)
            let notes = pageItems(try await harness.json("GET", "/customers/A87654321/notes").value)
            #expect(notes?.first?["text"] as? String == "Promised to pay Friday")
            #expect(try await harness.json("POST", "/customers/NOBODY1/notes", body: #"{"author":"x","text":"y"}"#).status == 404)
        }
    }
}
