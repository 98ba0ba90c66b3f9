import Foundation
import Hummingbird

/// The console's languages: Spanish unless the person chose English (`?lang=en`, kept in a cookie) or their
/// browser asks for it first.
enum Language: String, Sendable, CaseIterable {
    case es, en

    @TaskLocal static var current = Language.es

    static func of(_ request: Request) -> Language {
        if let chosen = request.uri.queryParameters.get("lang").flatMap({ Language(rawValue: String($0)) }) { return chosen }
        if let kept = request.cookies["lang"]?.value, let language = Language(rawValue: kept) { return language }
        let accepted = (request.headers[.acceptLanguage] ?? "").lowercased()
        let english = accepted.range(of: "en"), spanish = accepted.range(of: "es")
        if let english, spanish.map({ english.lowerBound < $0.lowerBound }) ?? true { return .en }
        return .es
    }

    var texts: [String: String] { self == .es ? Texts.es : Texts.en }
}

/// Amounts and times as people read them: `1.234,56 €` and `01/12/2026 09:30` in Spanish, `€1,234.56` and
/// `2026-12-01 09:30` in English; times in the console's time zone. Amounts stay integer cents throughout.
enum Display {
    static func money(_ cents: Int64, _ language: Language = Language.current) -> String {
        let negative = cents < 0
        let magnitude = cents.magnitude
        let euros = String(magnitude / 100)
        let centsText = String(magnitude % 100)
        let fraction = centsText.count == 1 ? "0" + centsText : centsText
        var grouped = ""
        for (index, digit) in euros.reversed().enumerated() {
            if index > 0 && index % 3 == 0 { grouped.append(language == .es ? "." : ",") }
            grouped.append(digit)
        }
        let whole = String(grouped.reversed())
        let sign = negative ? "−" : ""
        return language == .es ? "\(sign)\(whole),\(fraction) €" : "\(sign)€\(whole).\(fraction)"
    }

    static func money(_ value: Any?, _ language: Language = Language.current) -> String {
        guard let cents = integer(value) else { return "" }
        return money(cents, language)
    }

    static func integer(_ value: Any?) -> Int64? {
        if let number = value as? NSNumber { return number.int64Value }
        if let text = value as? String { return Int64(text) }
        return nil
    }

    nonisolated(unsafe) static var timeZone = TimeZone(identifier: "Europe/Madrid")!

    /// An ISO 8601 timestamp (or a date) from a service, for people.
    static func time(_ value: Any?, _ language: Language = Language.current) -> String {
        guard let text = value as? String else { return "" }
        if text.count == 10 {  // a date
            let parts = text.split(separator: "-")
            return language == .es && parts.count == 3 ? "\(parts[2])/\(parts[1])/\(parts[0])" : text
        }
        guard let date = parse(text) else { return text }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        func two(_ n: Int?) -> String { String(format: "%02d", n ?? 0) }
        return language == .es
            ? "\(two(c.day))/\(two(c.month))/\(c.year ?? 0) \(two(c.hour)):\(two(c.minute))"
            : "\(c.year ?? 0)-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute))"
    }

    static func parse(_ text: String) -> Date? {
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = withFraction.date(from: text) { return date }
        return ISO8601DateFormatter().date(from: text)
    }

    /// Today in the console's time zone, `yyyy-mm-dd`.
    static func today() -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day], from: Date())
        return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }
}
