import Contracts
import Foundation

/// Sales as buggy till firmware sends them: odd text, odd dates, odd structure. Half of the kinds are legal (intake
/// records them and every service handles them), half break the contract (intake refuses them with their code, and
/// nothing downstream ever sees them).
enum OddSales {
    /// The legal kinds, applied to a sale before it is encoded.
    static let legal: [(name: String, change: @Sendable (inout POSSaleV1, Date) -> Void)] = [
        ("emoji", { sale, _ in sale.lines[0].description = "Café ☕️ molido 🇪🇸 y 👩‍👩‍👧" }),
        ("longest description", { sale, _ in sale.lines[0].description = String(repeating: "é", count: 200) }),
        ("+14:00 offset", { sale, now in sale.occurredAt = timestamp(now, offsetHours: 14) }),
        ("−12:00 offset", { sale, now in sale.occurredAt = timestamp(now, offsetHours: -12) }),
        ("longest cashier id", { sale, _ in sale.cashierId = String(repeating: "C", count: 48) }),
    ]

    /// The refused kinds, applied to the encoded body (some only a body can carry).
    static let refused: [(name: String, change: @Sendable (String) -> String)] = [
        ("NUL in a sku", { $0.replacingFirst(#""sku":""#, with: #""sku":"\u0000"#) }),
        ("escape character in a description", { $0.replacingFirst(#""description":""#, with: #""description":"\u001b[31m"#) }),
        ("year 0000", { body in
            guard let range = body.range(of: #""occurredAt":"[^"]*""#, options: .regularExpression) else { return body }
            return body.replacingCharacters(in: range, with: #""occurredAt":"0000-01-01T00:00:00+00:00""#)
        }),
        ("lone surrogate", { $0.replacingFirst(#""description":""#, with: #""description":"\ud83d"#) }),
        ("total given twice", { $0.replacingFirst(#""total":"#, with: #""total":1,"total":"#) }),
    ]

    static func timestamp(_ date: Date, offsetHours: Int) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: offsetHours * 3600)
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ssxxx"
        return formatter.string(from: date)
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
