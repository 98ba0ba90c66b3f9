/// How overdue what is owed is, in the buckets an aging report shows: not yet due, 1–30, 31–60, 61–90 and over 90
/// days past the due date. One table: the report's SQL is written from it, and every day falls in exactly one.
enum Aging {
    struct Bucket: Sendable, Equatable {
        /// The report's field.
        var name: String
        /// Days past due, inclusive; nil for no bound.
        var from: Int?
        var to: Int?

        func contains(daysOverdue days: Int) -> Bool { (from.map { days >= $0 } ?? true) && (to.map { days <= $0 } ?? true) }

        /// The bucket's condition on `days` (an SQL expression giving days past due).
        func condition(days: String) -> String {
            switch (from, to) {
            case (nil, let to?): "\(days) <= \(to)"
            case (let from?, nil): "\(days) >= \(from)"
            case (let from?, let to?): "\(days) BETWEEN \(from) AND \(to)"
            case (nil, nil): "true"
            }
        }
    }

    static let buckets = [
        Bucket(name: "notYetDue", from: nil, to: 0),
        Bucket(name: "days1to30", from: 1, to: 30),
        Bucket(name: "days31to60", from: 31, to: 60),
        Bucket(name: "days61to90", from: 61, to: 90),
        Bucket(name: "over90", from: 91, to: nil),
    ]

    /// The bucket of a receivable `days` past its due date (negative: not due yet).
    static func bucket(daysOverdue days: Int) -> Bucket {
        guard let bucket = buckets.first(where: { $0.contains(daysOverdue: days) }) else {
            preconditionFailure("the aging buckets leave out \(days) days")
        }
        return bucket
    }

    /// The report's columns: what is outstanding in each bucket, `outstanding` and `days` being SQL expressions.
    static func columns(outstanding: String, days: String) -> String {
        buckets.map { "coalesce(sum(\(outstanding)) FILTER (WHERE \($0.condition(days: days))), 0) AS \"\($0.name)\"" }
            .joined(separator: ",\n")
    }
}

/// How a payment is spread over a customer's open receivables: the one it names first, then the oldest due; each
/// takes what it still owes, and what is left over becomes the customer's credit.
enum PaymentAllocation {
    struct Plan: Equatable {
        /// A receivable (its index among those given) and the cents it takes.
        struct Take: Equatable {
            var index: Int
            var cents: Int64
        }

        var takes: [Take]
        var creditCents: Int64
    }

    /// `amountCents` spread over `outstandingCents`, given in the order they are to be paid.
    static func plan(amountCents: Int64, outstandingCents: [Int64]) -> Plan {
        var remaining = amountCents
        var takes: [Plan.Take] = []
        for (index, outstanding) in outstandingCents.enumerated() where remaining > 0 && outstanding > 0 {
            let take = min(remaining, outstanding)
            remaining -= take
            takes.append(.init(index: index, cents: take))
        }
        return Plan(takes: takes, creditCents: max(0, remaining))
    }
}
