import Contracts
import Foundation
import Hummingbird
import PostgresClient
import ServiceRuntime

/// VERI*FACTU over HTTP: how submission stands per issuer (`GET /verifactu`), each invoice's records and their
/// answers (`GET /invoices/{series}/{number}/verifactu`), and the correction of a refused record
/// (`POST /invoices/{series}/{number}/correction`, optionally with the recipient to write: `{"recipient": {"taxId": …, "name": …}}`).
enum VerifactuRoutes {
    static func add(to router: Router<BasicRequestContext>, status: VerifactuStatus) {
        let database = status.database
        router.get("/verifactu") { _, _ in
            OperationsRoutes.jsonResponse(.ok, String(decoding: try JSONEncoder().encode(try await status.overview()), as: UTF8.self))
        }
        router.get("/invoices/:series/:number/verifactu") { _, context in
            guard let (series, number) = try BillingRoutes.invoiceNumber(context) else { return badNumber }
            guard let records = try await status.records(series: series, number: number) else {
                return OperationsRoutes.errorResponse(.notFound, "no invoice \(series)/\(number)")
            }
            return OperationsRoutes.jsonResponse(.ok, String(decoding: try JSONEncoder().encode(records), as: UTF8.self))
        }
        router.post("/invoices/:series/:number/correction") { request, context in
            guard let (series, number) = try BillingRoutes.invoiceNumber(context) else { return badNumber }
            struct Body: Decodable { var recipient: RecordCorrection.Recipient? }
            var body = Body(recipient: nil)
            if let length = request.headers[.contentLength].flatMap(Int.init), length > 0 {
                guard let decoded = try? await request.decode(as: Body.self, context: context) else {
                    return OperationsRoutes.errorResponse(.badRequest, #"the body, if any, is JSON: {"recipient": {"taxId": "B12345674", "name": "…"}}"#)
                }
                body = decoded
            }
            if let recipient = body.recipient {
                guard OperationsRoutes.isTaxId(recipient.taxId), (recipient.name?.unicodeScalars.count ?? 1) <= 120,
                    SaleContract.controlCharacter(in: recipient.name ?? "") == nil
                else { return OperationsRoutes.errorResponse(.badRequest, "the recipient's taxId is 2–20 letters and digits, its name 1–120 characters") }
            }
            let generatedAt = InvoiceIssuer.now()
            let recipient = body.recipient
            let actor = AuditTrail.Actor.current
            let outcome = try await database.transaction { connection in
                let outcome = try RecordCorrection.correct(series: series, number: number, recipient: recipient, generatedAt: generatedAt, on: connection)
                if case .corrected(let position, _) = outcome {
                    try AuditTrail.record(
                        "record.corrected", target: "invoice \(series)/\(number)", details: "record \(position)\(recipient.map { ", recipient \($0.taxId)" } ?? "")",
                        by: actor, on: connection)
                }
                return outcome
            }
            switch outcome {
            case .unknown: return OperationsRoutes.errorResponse(.notFound, "no invoice \(series)/\(number)")
            case .recipientNotAllowed:
                return OperationsRoutes.errorResponse(.badRequest, "a simplified invoice (or its credit note) names no recipient")
            case .nothingToCorrect(let state):
                return OperationsRoutes.errorResponse(
                    .conflict, "\(series)/\(number)'s last record is \(state): only a refused record (or one accepted with errors) is corrected")
            case .corrected(let position, let fingerprint):
                return OperationsRoutes.jsonResponse(
                    .created, #"{"series":"\#(series)","number":\#(number),"chainPosition":\#(position),"fingerprint":"\#(fingerprint)"}"#)
            }
        }
    }

    private static let badNumber = OperationsRoutes.errorResponse(.badRequest, "the number is a whole number from 1")
}
