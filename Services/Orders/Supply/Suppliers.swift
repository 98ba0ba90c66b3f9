import Foundation
import PostgresClient
import ServiceRuntime

/// The suppliers a chain buys from, and for each the SKUs it supplies: its own code, the pack it sells in, how many
/// days it takes to deliver, and its price per unit in cents.
enum Suppliers {
    struct Offer: Sendable, Equatable {
        var supplierId: String
        var supplierName: String?
        var sku: String
        var supplierCode: String
        var packSize: Int64
        var leadTimeDays: Int64
        var priceCents: Int64
    }

    static func check(_ offer: Offer) throws(Refusal) {
        guard OperationsRoutes.isIdentifier(offer.supplierId), OperationsRoutes.isIdentifier(offer.sku) else {
            throw Refusal(.invalid, "the supplier and the SKU are 1–48 letters, digits, '-' or '_'")
        }
        guard (1...60).contains(offer.supplierCode.count), !offer.supplierCode.contains(where: \.isNewline) else {
            throw Refusal(.invalid, "the supplier's code is 1–60 characters")
        }
        guard (1...100_000).contains(offer.packSize), (0...365).contains(offer.leadTimeDays), (0...100_000_000).contains(offer.priceCents) else {
            throw Refusal(.invalid, "a pack is 1–100000 units, a lead time 0–365 days, a price 0–100000000 cents")
        }
    }

    static func checkName(_ name: String) throws(Refusal) {
        guard (1...120).contains(name.count), !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw Refusal(.invalid, "a supplier's name is 1–120 characters without control characters")
        }
    }

    static func save(supplier id: String, name: String, email: String?, on connection: PostgresConnection) throws {
        try connection.query(
            """
            INSERT INTO suppliers (id, name, email) VALUES ($1, $2, $3)
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = coalesce(excluded.email, suppliers.email)
            """, [id, name, email])
    }

    static func save(_ offer: Offer, on connection: PostgresConnection) throws {
        try connection.query(
            """
            INSERT INTO supplier_skus (supplier_id, sku, supplier_code, pack_size, lead_time_days, price_cents) VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (supplier_id, sku) DO UPDATE SET supplier_code = excluded.supplier_code, pack_size = excluded.pack_size,
                lead_time_days = excluded.lead_time_days, price_cents = excluded.price_cents
            """, [offer.supplierId, offer.sku, offer.supplierCode, offer.packSize, Int(offer.leadTimeDays), offer.priceCents])
    }

    static let csvHeader = "supplier,name,sku,supplier_code,pack_size,lead_time_days,price_cents"

    /// A CSV of offers (header ``csvHeader``), every line checked before any is stored.
    static func parseCSV(_ text: String) throws(Refusal) -> [Offer] {
        var lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard let header = lines.first, header.lowercased().replacingOccurrences(of: " ", with: "") == csvHeader else {
            throw Refusal(.invalid, "the first line must be \(csvHeader)")
        }
        lines.removeFirst()
        guard !lines.isEmpty, lines.count <= 100_000 else { throw Refusal(.invalid, "give 1–100000 lines after the header") }
        var offers: [Offer] = []
        for (index, line) in lines.enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 7, let pack = Int64(fields[4]), let lead = Int64(fields[5]), let price = Int64(fields[6]) else {
                throw Refusal(.invalid, "line \(index + 2): expected \(csvHeader), the last three whole numbers")
            }
            let offer = Offer(
                supplierId: fields[0], supplierName: fields[1], sku: fields[2], supplierCode: fields[3], packSize: pack, leadTimeDays: lead,
                priceCents: price)
            do {
                try check(offer)
                try checkName(fields[1])
            } catch {
                throw Refusal(.invalid, "line \(index + 2): \(error.message)")
            }
            offers.append(offer)
        }
        return offers
    }

    static let json = """
        json_build_object('id', s.id, 'name', s.name, 'email', s.email,
            'skus', (SELECT coalesce(json_agg(json_build_object('sku', k.sku, 'supplierCode', k.supplier_code, 'packSize', k.pack_size,
                        'leadTimeDays', k.lead_time_days, 'priceCents', k.price_cents) ORDER BY k.sku), '[]')
                     FROM supplier_skus k WHERE k.supplier_id = s.id))
        """
}
