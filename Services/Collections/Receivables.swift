import AMQPClient
import Contracts
import Foundation
import PostgresClient
import ServiceRuntime

/// What customers owe on account, and what they paid: receivables opened from invoices with a deferred payment,
/// reduced by their credit notes, settled by payments (named invoice first, then oldest first; anything over becomes
/// credit on the customer's account, used for the next receivable), or written off. Each operation runs in the
/// caller's transaction, is idempotent by its document or payment id, and announces through the outbox.
enum Receivables {
    struct Receivable: Sendable {
        var id: Int64
        var invoiceNumber: String
        var customerTaxId: String
        var storeId: String
        var amountCents: Int64
        var paidCents: Int64
        var status: String
        var dueDate: String

        var outstandingCents: Int64 { amountCents - paidCents }
    }

    /// How a payment was spread.
    struct PaymentOutcome: Sendable, Codable, Equatable {
        struct Allocation: Sendable, Codable, Equatable {
            var invoiceNumber: String
            var amountCents: Int64
            var settled: Bool
        }

        var paymentId: String
        var allocations: [Allocation]
        /// What was left over, now credit on the customer's account.
        var creditCents: Int64
        /// False when the payment had been recorded before (nothing new happened).
        var recorded: Bool
    }

    // MARK: Invoices and credit notes

    /// Opens the receivable of an invoice paid (partly) on account, or applies a credit note on account to the
    /// receivable of the invoice it corrects. Documents without a deferred payment are not collections' business.
    /// `terms` are the payment terms of the customers ``lockCustomers(of:on:)`` took (a customer not among them is
    /// made sure of here).
    static func record(
        _ document: InvoiceIssuedV1, terms: [String: Int] = [:], traceparent: String? = nil, on connection: PostgresConnection
    ) throws {
        let deferred = document.deferredCents
        guard deferred != 0, let taxId = document.customer?.taxId, !taxId.isEmpty else { return }
        let terms = try terms[taxId] ?? customer(taxId, name: document.customer?.name, on: connection)
        guard try entry(taxId, kind: deferred > 0 ? "invoice" : "credit_note", reference: document.number, amount: deferred, on: connection)
        else { return }  // seen before
        if deferred > 0 {
            try open(
                document.number, storeId: document.storeId, issueDate: document.issueDate, amount: deferred, taxId: taxId, terms: terms,
                traceparent: traceparent, on: connection)
        } else {
            try credit(-deferred, correcting: document.corrects, taxId: taxId, on: connection)
        }
    }

    /// Opens the receivable of document `number` for `amount`, due `terms` days after `issueDate` (`yyyy-mm-dd`), and
    /// pays it first from the customer's credit.
    static func open(
        _ number: String, storeId: String, issueDate: String, amount: Int64, taxId: String, terms: Int, traceparent: String?,
        on connection: PostgresConnection
    ) throws {
        var receivable = try receivable(
            try connection.query(
                """
                INSERT INTO receivables (invoice_number, customer_tax_id, store_id, issue_date, due_date, amount_cents)
                VALUES ($1, $2, $3, $4::date, $4::date + $5::integer, $6) RETURNING \(columns)
                """, [number, taxId, storeId, issueDate, terms, amount])[0])
        try announce("opened", receivable, traceparent: traceparent, on: connection)
        // Credit already on the account (an overpayment, a refund) pays the new receivable first.
        let credit: Int64 = try connection.query("SELECT credit_cents FROM customers WHERE tax_id = $1 FOR UPDATE", [taxId])[0].decode(at: 0)
        let take = min(credit, amount)
        if take > 0 {
            try connection.query("UPDATE customers SET credit_cents = credit_cents - $2 WHERE tax_id = $1", [taxId, take])
            _ = try allocate(take, to: &receivable, payment: nil, on: connection)
        }
    }

    /// A credit note on account: it lowers what its invoice's receivable asks for; what was paid beyond the new
    /// amount (or the whole credit, when that receivable is closed or unknown) becomes credit on the account.
    private static func credit(_ amount: Int64, correcting invoice: String?, taxId: String, on connection: PostgresConnection) throws {
        var toAccount = amount
        if let invoice, var receivable = try load(number: invoice, forUpdate: true, on: connection), receivable.status == "open" {
            receivable.amountCents -= amount
            toAccount = max(0, receivable.paidCents - receivable.amountCents)
            receivable.paidCents = min(receivable.paidCents, receivable.amountCents)
            try connection.query(
                "UPDATE receivables SET amount_cents = $2, paid_cents = $3 WHERE id = $1",
                [receivable.id, receivable.amountCents, receivable.paidCents])
            if receivable.outstandingCents <= 0 { try settle(&receivable, on: connection) }
        }
        if toAccount > 0 {
            try connection.query("UPDATE customers SET credit_cents = credit_cents + $2 WHERE tax_id = $1", [taxId, toAccount])
        }
    }

    // MARK: Payments

    static func validate(_ payment: PaymentReceivedV1) throws(Refusal) {
        guard OperationsRoutes.isIdentifier(payment.paymentId) else {
            throw Refusal(.invalid, "paymentId must be 1–48 letters, digits, '-' or '_'")
        }
        guard payment.amountCents > 0 else {
            throw Refusal(.invalid, "amountCents must be a positive whole number of cents, not \(payment.amountCents)")
        }
        guard payment.amountCents <= 100_000_000_00 else { throw Refusal(.invalid, "amountCents is over 10,000,000,000") }
    }

    /// Records a payment and spreads it: over the named invoice first, then the customer's oldest open receivables;
    /// the rest becomes credit. A payment id seen before changes nothing.
    static func pay(_ payment: PaymentReceivedV1, on connection: PostgresConnection) throws -> PaymentOutcome {
        try validate(payment)
        guard try !connection.query("SELECT 1 FROM customers WHERE tax_id = $1 FOR UPDATE", [payment.customerTaxId]).isEmpty else {
            throw Refusal(.notFound, "no customer \(payment.customerTaxId): collections knows customers from their invoices on account (or PUT /customers/{taxId})")
        }
        guard try !connection.query(
            """
            INSERT INTO payments (id, customer_tax_id, amount_cents, invoice_number) VALUES ($1, $2, $3, $4)
            ON CONFLICT (id) DO NOTHING RETURNING id
            """, [payment.paymentId, payment.customerTaxId, payment.amountCents, payment.invoiceNumber]
        ).isEmpty else {
            return PaymentOutcome(paymentId: payment.paymentId, allocations: try allocations(of: payment.paymentId, on: connection), creditCents: 0, recorded: false)
        }
        _ = try entry(payment.customerTaxId, kind: "payment", reference: payment.paymentId, amount: -payment.amountCents, on: connection)
        var targets: [Receivable] = []
        if let number = payment.invoiceNumber {
            guard let named = try load(number: number, forUpdate: true, on: connection), named.customerTaxId == payment.customerTaxId else {
                throw Refusal(.invalid, "invoice \(number) is not on account for customer \(payment.customerTaxId)")
            }
            if named.status == "open" { targets.append(named) }
        }
        targets += try connection.query(
            """
            SELECT \(columns) FROM receivables
            WHERE customer_tax_id = $1 AND status = 'open' AND invoice_number <> coalesce($2, '')
            ORDER BY due_date, id FOR UPDATE
            """, [payment.customerTaxId, payment.invoiceNumber]
        ).map(receivable)
        let spread = try spread(payment.amountCents, over: targets, payment: payment.paymentId, taxId: payment.customerTaxId, on: connection)
        return PaymentOutcome(paymentId: payment.paymentId, allocations: spread.allocations, creditCents: spread.creditCents, recorded: true)
    }

    /// Puts `amount` towards `targets` in their order (a payment's, or credit a cancellation freed when `payment` is
    /// nil); what is left becomes credit on the customer's account.
    static func spread(
        _ amount: Int64, over targets: [Receivable], payment: String?, taxId: String, on connection: PostgresConnection
    ) throws -> (allocations: [PaymentOutcome.Allocation], creditCents: Int64) {
        let plan = PaymentAllocation.plan(amountCents: amount, outstandingCents: targets.map(\.outstandingCents))
        var allocations: [PaymentOutcome.Allocation] = []
        for take in plan.takes {
            var target = targets[take.index]
            let settled = try allocate(take.cents, to: &target, payment: payment, on: connection)
            allocations.append(.init(invoiceNumber: target.invoiceNumber, amountCents: take.cents, settled: settled))
        }
        if plan.creditCents > 0 {
            try connection.query("UPDATE customers SET credit_cents = credit_cents + $2 WHERE tax_id = $1", [taxId, plan.creditCents])
        }
        return (allocations, plan.creditCents)
    }

    private static func allocations(of paymentId: String, on connection: PostgresConnection) throws -> [PaymentOutcome.Allocation] {
        try connection.query(
            """
            SELECT r.invoice_number, a.amount_cents, r.status = 'paid' FROM allocations a JOIN receivables r ON r.id = a.receivable_id
            WHERE a.payment_id = $1 ORDER BY a.id
            """, [paymentId]
        ).map { .init(invoiceNumber: try $0.decode(at: 0), amountCents: try $0.decode(at: 1), settled: try $0.decode(at: 2)) }
    }

    /// Puts `amount` towards `receivable`; returns whether that settled it.
    private static func allocate(_ amount: Int64, to receivable: inout Receivable, payment: String?, on connection: PostgresConnection) throws -> Bool {
        try connection.query(
            "INSERT INTO allocations (receivable_id, payment_id, amount_cents) VALUES ($1, $2, $3)", [receivable.id, payment, amount])
        try connection.query("UPDATE receivables SET paid_cents = paid_cents + $2 WHERE id = $1", [receivable.id, amount])
        receivable.paidCents += amount
        guard receivable.outstandingCents <= 0 else { return false }
        try settle(&receivable, on: connection)
        return true
    }

    private static func settle(_ receivable: inout Receivable, on connection: PostgresConnection) throws {
        try connection.query("UPDATE receivables SET status = 'paid', closed_at = now() WHERE id = $1", [receivable.id])
        receivable.status = "paid"
        try announce("paid", receivable, on: connection)
    }

    // MARK: Write-off

    static func writeOff(_ id: Int64, reason: String, on connection: PostgresConnection) throws {
        let receivable = try load(id: id, forUpdate: true, on: connection)
        guard receivable.status == "open" else {
            throw Refusal(.conflict, "receivable \(id) is \(receivable.status); only an open one can be written off")
        }
        try connection.query(
            "UPDATE receivables SET status = 'written_off', written_off_reason = $2, closed_at = now() WHERE id = $1", [id, reason])
        _ = try entry(receivable.customerTaxId, kind: "write_off", reference: String(id), amount: -receivable.outstandingCents, on: connection)
        var closed = receivable
        closed.status = "written_off"
        try announce("written_off", closed, reason: reason, on: connection)
    }

    // MARK: Rows

    static let columns = "id, invoice_number, customer_tax_id, store_id, amount_cents, paid_cents, status, to_char(due_date, 'YYYY-MM-DD')"

    static func receivable(_ row: Row) throws -> Receivable {
        Receivable(
            id: try row.decode(at: 0), invoiceNumber: try row.decode(at: 1), customerTaxId: try row.decode(at: 2), storeId: try row.decode(at: 3),
            amountCents: try row.decode(at: 4), paidCents: try row.decode(at: 5), status: try row.decode(at: 6), dueDate: try row.decode(at: 7))
    }

    private static func load(id: Int64, forUpdate: Bool = false, on connection: PostgresConnection) throws -> Receivable {
        guard let row = try connection.query("SELECT \(columns) FROM receivables WHERE id = $1\(forUpdate ? " FOR UPDATE" : "")", [id]).first else {
            throw Refusal(.notFound, "no receivable \(id)")
        }
        return try receivable(row)
    }

    static func load(number: String, forUpdate: Bool, on connection: PostgresConnection) throws -> Receivable? {
        try connection.query(
            "SELECT \(columns) FROM receivables WHERE invoice_number = $1\(forUpdate ? " FOR UPDATE" : "")", [number]
        ).first.map(receivable)
    }

    /// Makes sure the customers of `documents` on account exist (named as on their first invoice) and returns their
    /// payment terms in days, by tax id. Takes them in tax-id order, first thing in the transaction: batches recorded
    /// side by side then wait for each other instead of deadlocking (each took its customers in delivery order, and
    /// two batches with the same two customers in opposite orders deadlocked, a retry each time).
    @discardableResult
    static func lockCustomers(of documents: [InvoiceIssuedV1], on connection: PostgresConnection) throws -> [String: Int] {
        var names: [String: String] = [:]
        for document in documents where document.deferredCents != 0 {
            guard let taxId = document.customer?.taxId, !taxId.isEmpty else { continue }
            if names[taxId, default: ""].isEmpty { names[taxId] = document.customer?.name ?? "" }  // the first name given
        }
        guard !names.isEmpty else { return [:] }
        let taxIds = names.keys.sorted()
        var terms: [String: Int] = [:]
        for row in try connection.query(
            """
            INSERT INTO customers (tax_id, name) SELECT t, nullif(n, '') FROM unnest($1::text[], $2::text[]) AS c(t, n) ORDER BY t
            ON CONFLICT (tax_id) DO UPDATE SET name = coalesce(customers.name, excluded.name) RETURNING tax_id, payment_terms_days
            """, [PostgresArrays.text(taxIds), PostgresArrays.text(taxIds.map { names[$0]! })])
        {
            terms[try row.decode(String.self, at: 0)] = try row.decode(Int.self, at: 1)
        }
        return terms
    }

    private static func customer(_ taxId: String, name: String?, on connection: PostgresConnection) throws -> Int {
        try connection.query(
            """
            INSERT INTO customers (tax_id, name) VALUES ($1, $2)
            ON CONFLICT (tax_id) DO UPDATE SET name = coalesce(customers.name, excluded.name) RETURNING payment_terms_days
            """, [taxId, name])[0].decode(at: 0)
    }

    /// Writes one line of the customer's account; false when that document was written before.
    static func entry(_ taxId: String, kind: String, reference: String, amount: Int64, on connection: PostgresConnection) throws -> Bool {
        try !connection.query(
            """
            INSERT INTO account_entries (customer_tax_id, kind, reference, amount_cents) VALUES ($1, $2, $3, $4)
            ON CONFLICT (kind, reference) DO NOTHING RETURNING id
            """, [taxId, kind, reference, amount]
        ).isEmpty
    }

    static func announce(
        _ event: String, _ receivable: Receivable, reason: String? = nil, traceparent: String? = nil, on connection: PostgresConnection
    ) throws {
        let message = ReceivableEventV1(
            event: event, receivableId: receivable.id, invoiceNumber: receivable.invoiceNumber, customerTaxId: receivable.customerTaxId,
            storeId: receivable.storeId, amountCents: receivable.amountCents, outstandingCents: max(0, receivable.outstandingCents),
            dueDate: receivable.dueDate, reason: reason)
        try Outbox.add(
            message, exchange: Exchanges.collectionsEvents.name, routingKey: message.routingKey, type: ReceivableEventV1.messageType,
            traceparent: traceparent, on: connection)
    }
}
