import AMQPClient
import Contracts
import Foundation

/// Sales as a terminal would publish them, for tests: a valid one to start from, then a mutation per case.
package enum SaleFixtures {
    package static let saleId = "5f0c7a9e-2b7e-4a51-9d0e-0c6f3f1d2a11"

    /// An hour ago, to the second, as a till in Spain writes it (`+01:00`): inside intake's window whatever the day.
    package static let recentTime = formatted(Date().addingTimeInterval(-3600), "yyyy-MM-dd'T'HH:mm:ssxxx", offsetSeconds: 3600)

    /// `date` written with `format` in the time zone `offsetSeconds` from UTC.
    package static func formatted(_ date: Date, _ format: String, offsetSeconds: Int = 0) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: offsetSeconds)
        formatter.dateFormat = format
        return formatter.string(from: date)
    }

    /// A valid `pos.sale.v1` as a JSON object (the example of the design, with a second line).
    package static func validSale(
        saleId: String = saleId, store: String = "S001", terminal: String = "S001-T01", receipt: Int = 1234
    ) -> [String: Any] {
        [
            "saleId": saleId, "storeId": store, "terminalId": terminal, "receiptNumber": receipt,
            "occurredAt": recentTime, "cashierId": "E0042", "currency": "EUR",
            "customer": ["taxId": "B12345678", "name": "Talleres Norte SL", "address": "C/ Mayor 1, Burgos"],
            "lines": [
                ["sku": "CAF-001", "description": "Café molido 250 g", "quantity": 2, "unitPrice": 399, "taxRate": 10, "discount": 0],
                ["sku": "DET-005", "description": "Detergente 3 l", "quantity": 1, "unitPrice": 650, "taxRate": 21, "discount": 50],
            ],
            "payments": [["method": "card", "amount": 1398]],
            "total": 1398,
            "returnOf": NSNull(),
        ]
    }

    package static func json(_ object: [String: Any]) -> [UInt8] {
        Array(try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    /// The message a terminal publishes for `object`: routing key and properties as the contract asks.
    package static func message(_ object: [String: Any], body: [UInt8]? = nil) -> OutgoingMessage {
        let store = object["storeId"] as? String ?? "S001"
        let terminal = object["terminalId"] as? String ?? "S001-T01"
        return OutgoingMessage(
            exchange: "pos", routingKey: "sale.\(store).\(terminal)", body: body ?? json(object),
            properties: MessageProperties(
                type: "pos.sale.v1", messageId: object["saleId"] as? String, timestamp: Int64(Date().timeIntervalSince1970),
                headers: ["traceparent": .string("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")]))
    }

    /// A till's event as its terminal publishes it on `pos`.
    package static func tillMessage(_ event: TillOpenedV1) -> OutgoingMessage { tillMessage(event, event.routingKey, TillOpenedV1.messageType) }
    package static func tillMessage(_ event: TillClosedV1) -> OutgoingMessage { tillMessage(event, event.routingKey, TillClosedV1.messageType) }

    private static func tillMessage<Event: Encodable>(_ event: Event, _ routingKey: String, _ type: String) -> OutgoingMessage {
        OutgoingMessage(exchange: "pos", routingKey: routingKey, body: Array(try! JSONEncoder().encode(event)), properties: MessageProperties(type: type))
    }

    /// Sales that look odd but keep every rule: intake records them and every service downstream handles them.
    package static func oddButLegalSales(store: String = "S001", terminal: String = "S001-T01") -> [(name: String, message: OutgoingMessage)] {
        func sale(_ change: (inout [String: Any]) -> Void) -> [String: Any] {
            var sale = validSale(saleId: UUID().uuidString.lowercased(), store: store, terminal: terminal, receipt: Int.random(in: 10_000_000...90_000_000))
            change(&sale)
            return sale
        }
        func at(_ date: Date, _ time: String) -> String { formatted(date, "yyyy-MM-dd") + "T" + time }
        func utc(_ date: Date) -> String { formatted(date, "yyyy-MM-dd'T'HH:mm:ss'Z'") }
        let day: TimeInterval = 86_400
        let longest = sale { sale in
            sale["cashierId"] = String(repeating: "C", count: 48)
            sale["customer"] = [
                "taxId": "B12345678", "name": String(repeating: "Ñ", count: 200), "address": String(repeating: "a", count: 200),
            ]
            sale["lines"] = [
                ["sku": String(repeating: "K", count: 48), "description": String(repeating: "é", count: 200), "quantity": 2, "unitPrice": 399, "taxRate": 10, "discount": 0],
                ["sku": "DET-005", "description": "Detergente 3 l", "quantity": 1, "unitPrice": 650, "taxRate": 21, "discount": 50],
            ]
        }
        let emoji = sale { sale in
            sale["customer"] = ["taxId": "B12345678", "name": "Café ☕️ y Cía 👩‍👩‍👧", "address": "C/ Ñandú 1 🏠"]
            var lines = sale["lines"] as! [[String: Any]]
            lines[0]["description"] = "Café ☕️ molido 🇪🇸 250 g"
            sale["lines"] = lines
        }
        let escaped = sale { _ in }
        let escapedBody = String(decoding: json(escaped), as: UTF8.self)
            .replacingOccurrences(of: "Café", with: "Caf\\u00e9").replacingOccurrences(of: "Detergente", with: "Deterg\\ud83d\\ude00ente \\/ \\\"3\\\"")
        let richest = sale { sale in
            sale["customer"] = NSNull()
            sale["lines"] = [["sku": "ORO-1", "description": "Lingote", "quantity": 1, "unitPrice": 10_000_000, "taxRate": 0, "discount": 0]]
            sale["payments"] = [["method": "card", "amount": 10_000_000]]
            sale["total"] = 10_000_000
        }
        return [
            ("fields at their maximum length", message(longest)),
            ("emoji and letters beyond Latin-1", message(emoji)),
            ("escapes: \\u00e9, a surrogate pair, \\/ and \\\"", message(escaped, body: Array(escapedBody.utf8))),
            ("the oldest date the window allows", message(sale { $0["occurredAt"] = utc(Date().addingTimeInterval(-31 * day + 600)) })),
            ("+14:00 at midnight", message(sale { $0["occurredAt"] = at(Date().addingTimeInterval(-day), "00:00:00+14:00") })),
            ("−12:00 a second before midnight", message(sale { $0["occurredAt"] = at(Date().addingTimeInterval(-2 * day), "23:59:59-12:00") })),
            ("a fraction of a second", message(sale { $0["occurredAt"] = utc(Date().addingTimeInterval(-60)).dropLast() + ".123456Z" })),
            ("the highest unit price, over the retail limit, no customer", message(richest)),
        ].map { (name: $0.0, message: $0.1) }
    }


    /// Every rule of validation broken once: (what is wrong, the code expected, the message).
    package static func invalidMessages() -> [(name: String, code: String, message: OutgoingMessage)] {
        func mutated(_ change: (inout [String: Any]) -> Void) -> OutgoingMessage {
            var sale = validSale(saleId: UUID().uuidString.lowercased(), receipt: Int.random(in: 1_000_000...9_000_000))
            change(&sale)
            return message(sale)
        }
        func line(_ change: @escaping (inout [String: Any]) -> Void) -> OutgoingMessage {
            mutated { sale in
                var lines = sale["lines"] as! [[String: Any]]
                change(&lines[0])
                sale["lines"] = lines
            }
        }
        func setTotals(_ sale: inout [String: Any], _ total: Int) {
            sale["total"] = total
            sale["payments"] = [["method": "card", "amount": total]]
        }
        var cases: [(String, String, OutgoingMessage)] = [
            ("not JSON", "sale.malformed_json", message(validSale(), body: Array("{\"saleId\": oops".utf8))),
            ("a JSON array", "sale.malformed_json", message(validSale(), body: Array("[1,2,3]".utf8))),
            ("empty body", "sale.malformed_json", message(validSale(), body: [])),
            ("oversize", "sale.oversize", message(validSale(), body: Array(repeating: UInt8(ascii: " "), count: 70_000))),
            ("total as text", "sale.wrong_type", mutated { $0["total"] = "1398" }),
            ("fractional quantity", "sale.wrong_type", line { $0["quantity"] = 1.5 }),
            ("lines not a list", "sale.wrong_type", mutated { $0["lines"] = "CAF-001" }),
            ("no saleId", "sale.missing_field", mutated { $0["saleId"] = nil }),
            ("no lines field", "sale.missing_field", mutated { $0["lines"] = nil }),
            ("null total", "sale.missing_field", mutated { $0["total"] = NSNull() }),
            ("saleId not a UUID", "sale.invalid_sale_id", mutated { $0["saleId"] = "sale-42" }),
            ("empty store", "sale.invalid_store_id", mutated { $0["storeId"] = "" }),
            ("terminal with a dot", "sale.invalid_terminal_id", mutated { $0["terminalId"] = "S001.T01" }),
            ("empty cashier", "sale.invalid_cashier_id", mutated { $0["cashierId"] = "" }),
            ("receipt zero", "sale.invalid_receipt_number", mutated { $0["receiptNumber"] = 0 }),
            ("date without offset", "sale.invalid_date", mutated { $0["occurredAt"] = "2026-11-29 10:15:00" }),
            ("impossible date", "sale.invalid_date", mutated { $0["occurredAt"] = "2026-02-30T10:15:00+01:00" }),
            ("date next year", "sale.future_date", mutated { $0["occurredAt"] = "2099-01-01T00:00:00Z" }),
            ("dollars", "sale.unknown_currency", mutated { $0["currency"] = "USD" }),
            ("no lines", "sale.no_lines", mutated { $0["lines"] = [[String: Any]]() }),
            ("empty sku", "sale.invalid_sku", line { $0["sku"] = "" }),
            ("description too long", "sale.invalid_description", line { $0["description"] = String(repeating: "x", count: 300) }),
            ("zero quantity", "sale.invalid_quantity", line { $0["quantity"] = 0 }),
            ("absurd quantity", "sale.invalid_quantity", line { $0["quantity"] = 1_000_000 }),
            ("negative price", "sale.invalid_unit_price", line { $0["unitPrice"] = -399 }),
            ("absurd price", "sale.invalid_unit_price", line { $0["unitPrice"] = 50_000_000_000 }),
            ("tax rate 7", "sale.invalid_tax_rate", line { $0["taxRate"] = 7 }),
            ("negative discount", "sale.invalid_discount", line { $0["discount"] = -10 }),
            ("discount over the line", "sale.invalid_discount", line { $0["discount"] = 5000 }),
            ("total off by a cent", "sale.total_mismatch", mutated { setTotals(&$0, 1399) }),
            ("payments short", "sale.payments_mismatch", mutated { $0["payments"] = [["method": "card", "amount": 1000]] }),
            ("no payments", "sale.no_payments", mutated { $0["payments"] = [[String: Any]]() }),
            ("bitcoin", "sale.unknown_payment_method", mutated { $0["payments"] = [["method": "bitcoin", "amount": 1398]] }),
            ("on account without a customer", "sale.deferred_without_customer", mutated {
                $0["payments"] = [["method": "deferred", "amount": 1398]]
                $0["customer"] = NSNull()
            }),
            ("zero payment", "sale.invalid_payment_amount", mutated {
                $0["payments"] = [["method": "card", "amount": 1398], ["method": "cash", "amount": 0]]
            }),
            ("bad customer tax id", "sale.invalid_customer", mutated { $0["customer"] = ["taxId": "B-12", "name": "X"] }),
            ("return without returnOf", "sale.return_without_reference", mutated { sale in
                var lines = sale["lines"] as! [[String: Any]]
                for index in lines.indices {
                    lines[index]["quantity"] = -(lines[index]["quantity"] as! Int)
                    lines[index]["discount"] = -(lines[index]["discount"] as! Int)
                }
                sale["lines"] = lines
                setTotals(&sale, -1398)
            }),
            ("returnOf on a sale", "sale.return_with_positive_quantities", mutated { $0["returnOf"] = ["saleId": saleId] }),
            ("mixed signs", "sale.mixed_quantities", mutated { sale in
                var lines = sale["lines"] as! [[String: Any]]
                lines[1]["quantity"] = -1
                lines[1]["discount"] = -50
                sale["lines"] = lines
                setTotals(&sale, 2 * 399 - 650 + 50)
            }),
        ]
        // What no service downstream could store or would read the same way.
        func raw(_ edit: (String) -> String) -> OutgoingMessage {
            let sale = validSale(saleId: UUID().uuidString.lowercased(), receipt: Int.random(in: 1_000_000...9_000_000))
            return message(sale, body: Array(edit(String(decoding: json(sale), as: UTF8.self)).utf8))
        }
        func daysAgo(_ days: Double) -> String { formatted(Date().addingTimeInterval(-days * 86_400), "yyyy-MM-dd'T'HH:mm:ss'Z'") }
        cases += [
            ("NUL in a sku", "sale.control_character", line { $0["sku"] = "CAF\u{0}001" }),
            ("escape character in a description", "sale.control_character", line { $0["description"] = "Caf\u{1B}[31mé" }),
            ("DEL in a description", "sale.control_character", line { $0["description"] = "Café\u{7F}" }),
            ("C1 control in the customer's name", "sale.control_character", mutated {
                $0["customer"] = ["taxId": "B12345678", "name": "Talleres\u{85}Norte SL", "address": "C/ Mayor 1"]
            }),
            ("line feed in the customer's address", "sale.control_character", mutated {
                $0["customer"] = ["taxId": "B12345678", "name": "Talleres Norte SL", "address": "C/ Mayor 1\nBurgos"]
            }),
            ("year 0000", "sale.too_old", mutated { $0["occurredAt"] = "0000-01-01T00:00:00+00:00" }),
            ("forty days ago", "sale.too_old", mutated { $0["occurredAt"] = daysAgo(40) }),
            ("offset beyond +14:00", "sale.invalid_date", mutated { $0["occurredAt"] = "2026-11-29T10:15:00+15:00" }),
            ("a lone high surrogate", "sale.malformed_json", raw { $0.replacingOccurrences(of: "Detergente", with: "Deterg\\ud83dente") }),
            ("a lone low surrogate", "sale.malformed_json", raw { $0.replacingOccurrences(of: "Detergente", with: "Deterg\\ude00ente") }),
            ("total given twice", "sale.malformed_json", raw { $0.replacingOccurrences(of: "\"total\":1398", with: "\"total\":1398,\"total\":1") }),
            ("saleId given twice", "sale.malformed_json", raw { $0.replacingOccurrences(of: "\"storeId\"", with: "\"saleId\":\"\(saleId)\",\"storeId\"") }),
        ]
        var wrongRouting = mutated { _ in }
        wrongRouting.routingKey = "sale.S002.S002-T01"
        cases.append(("routing key names another terminal", "sale.routing_mismatch", wrongRouting))
        var wrongType = mutated { _ in }
        wrongType.properties.type = "pos.sale.v2"
        cases.append(("unknown message type", "sale.unsupported_type", wrongType))
        var wrongId = mutated { _ in }
        wrongId.properties.messageId = UUID().uuidString
        cases.append(("message_id is not the saleId", "sale.message_id_mismatch", wrongId))
        return cases.map { (name: $0.0, code: $0.1, message: $0.2) }
    }
}

/// The items of a page of a list (`{"items": [...], "next": …}`), from its parsed JSON or its text.
package func pageItems(_ value: Any?) -> [[String: Any]]? {
    if let text = value as? String { return pageItems(try? JSONSerialization.jsonObject(with: Data(text.utf8))) }
    return (value as? [String: Any])?["items"] as? [[String: Any]]
}
