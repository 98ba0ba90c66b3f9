import Hummingbird
import ServiceRuntime

/// Sales intake's operations, who may call them and what they answer: its figures and a recorded sale, read by those
/// who deal with sales (a store manager, its stores' sales).
enum SalesAccess {
    static let policy = AccessPolicy([
        Operation(.get, "/stats", [.admin, .accountant, .auditor], .init(
            "what this replica has recorded, refused and counted twice since it started",
            answer: .json(200, .record(["sinceStart": .object([
                "recorded": .integer, "duplicates": .integer, "rejectedByCode": .map(.integer), "batches": .integer,
                "firstDeliveryAtMilliseconds": .integer, "lastCommitAtMilliseconds": .integer,
            ], required: ["recorded", "duplicates", "rejectedByCode", "batches"])])))),
        Operation(.get, "/stats/totals", [.admin, .accountant, .auditor], .init(
            "totals over every recorded sale (a scan: for people, not dashboards)",
            answer: .json(200, .record([
                "sales": .integer, "stores": .integer, "returns": .integer, "totalCents": .cents, "lastRecordedAt": .nullable(.dateTime),
            ])))),
        Operation(.get, "/stats/day", [.admin, .accountant, .auditor, .storeManager, .hr], .init(
            "one day's sales per store, hour by hour (a store manager's stores only)",
            query: [.init("day", .date, required: true, "the day"), .init("timeZone", "whose day and hours (default Europe/Madrid)")],
            answer: .json(200, .record([
                "day": .date,
                "stores": .array(.record([
                    "storeId": .string, "sales": .integer, "totalCents": .cents,
                    "hours": .array(.record(["hour": .integer(minimum: 0, maximum: 23), "sales": .integer, "totalCents": .cents])),
                ])),
            ])))),
        Operation(.get, "/sales/{saleId}", [.admin, .accountant, .auditor, .storeManager],
                  store: .record(parameter: "saleId", query: "SELECT store_id FROM sales WHERE sale_id::text = lower($1)"), .init(
            "one recorded sale as the till sent it", path: ["saleId": .uuid],
            answer: .json(200, .record(["saleId": .uuid, "recordedAt": .dateTime, "sale": .anything])))),
    ])
}
