import Contracts

/// The rules a sale's payments keep, written once: the fast check of every sale (``PaymentTally``, fed by the
/// parser) and the precise reason for the few that break one (``SaleValidator/checkPayments(_:total:customerTaxId:)``)
/// both ask ``brokenRule(total:customerTaxId:limits:)``, in the order the rules are listed.
package enum PaymentRule: CaseIterable, Sendable {
    case noPayments
    case tooManyPayments
    case unknownMethod
    case invalidAmount
    case deferredWithoutCustomer
    case paymentsMismatch

    package var code: String {
        switch self {
        case .noPayments: "sale.no_payments"
        case .tooManyPayments: "sale.too_many_payments"
        case .unknownMethod: "sale.unknown_payment_method"
        case .invalidAmount: "sale.invalid_payment_amount"
        case .deferredWithoutCustomer: "sale.deferred_without_customer"
        case .paymentsMismatch: "sale.payments_mismatch"
        }
    }

    /// Broken by one payment on its own (the others are broken by the payments together).
    var isOfOnePayment: Bool {
        switch self {
        case .unknownMethod, .invalidAmount, .deferredWithoutCustomer: true
        case .noPayments, .tooManyPayments, .paymentsMismatch: false
        }
    }
}

/// What the rules need to know of some payments (one, or all of a sale's), gathered one payment at a time.
package struct PaymentSummary: Sendable {
    private(set) var count = 0
    private(set) var paid: Int64 = 0
    private var largest: UInt64 = 0
    private var anyZero = false
    private var anyPositive = false
    private var anyNegative = false
    private var anyUnknownMethod = false
    private var anyDeferred = false

    package init() {}

    package mutating func add(amount: Int64, methodIsKnown: Bool, isDeferred: Bool) {
        count += 1
        if !methodIsKnown { anyUnknownMethod = true }
        if isDeferred { anyDeferred = true }
        if amount == 0 { anyZero = true } else if amount > 0 { anyPositive = true } else { anyNegative = true }
        largest = max(largest, amount.magnitude)
        paid = paid &+ amount  // compared only once the count is within the limit: at most 20 amounts of at most the total
    }

    /// The first rule these payments break, nil if they keep every one: at least one payment and no more than the
    /// limit, known methods, amounts of the total's sign and no more than it, a customer with a tax id for any on
    /// account, and a sum equal to the total.
    package func brokenRule(total: Int64, customerTaxId: String?, limits: SaleLimits) -> PaymentRule? {
        if count == 0 { return .noPayments }
        if count > limits.maximumPayments { return .tooManyPayments }
        if anyUnknownMethod { return .unknownMethod }
        if anyZero || (total > 0 ? anyNegative : anyPositive) || largest > total.magnitude { return .invalidAmount }
        if anyDeferred, (customerTaxId ?? "").isEmpty { return .deferredWithoutCustomer }
        if paid != total { return .paymentsMismatch }
        return nil
    }
}
