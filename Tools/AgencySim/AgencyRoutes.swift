import Foundation
import Hummingbird
import Logging
import NIOCore
import XMLTree

enum AgencyRoutes {
    /// The submission endpoint, at the path of the agency's own (`/wlpl/TIKE-CONT/ws/SistemaFacturacion/VerifactuSOAP`).
    static func submission(ledger: AgencyLedger, validator: XMLSchemaValidator, logger: Logger) -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/wlpl/TIKE-CONT/ws/SistemaFacturacion/VerifactuSOAP") { request, context -> Response in
            let mode = await ledger.mode
            if mode == .down { return Response(status: .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: "Servicio no disponible"))) }
            if mode == .slow {
                try await Task.sleep(for: .milliseconds(await ledger.slowMilliseconds))
            }
            let body = Array(buffer: try await request.body.collect(upTo: 64 * 1024 * 1024))
            let xml: String
            do {
                xml = try await answer(body, ledger: ledger, validator: validator)
            } catch let fault as EnvelopeFault {
                await ledger.envelopeFault(fault.fault)
                logger.info("envelope refused", metadata: ["code": "\(fault.fault.rawValue)", "detail": "\(fault.detail)"])
                return soap(AgencyResponse.fault(fault.fault, detail: fault.detail), status: .internalServerError)
            }
            return soap(xml, status: .ok)
        }
        return router
    }

    struct EnvelopeFault: Error {
        var fault: AgencyFault
        var detail: String
    }

    private static func answer(_ body: [UInt8], ledger: AgencyLedger, validator: XMLSchemaValidator) async throws -> String {
        let tree: XMLTree
        do { tree = try XMLTree.parse(body) } catch { throw EnvelopeFault(fault: .schema, detail: error.description) }
        guard tree.name == "Envelope", tree.namespace == AgencyResponse.soap else {
            throw EnvelopeFault(fault: .schema, detail: "not a SOAP 1.1 envelope")
        }
        let complaints = validator.validate(body, element: "RegFactuSistemaFacturacion")
        if let first = complaints.first {
            // More than 1,000 records is the schema's maxOccurs: told apart, as the agency does.
            if first.contains("RegistroFactura") && first.contains("not expected") && (tree.first("RegFactuSistemaFacturacion")?.children("RegistroFactura").count ?? 0) > 1000 {
                throw EnvelopeFault(fault: .tooManyRecords, detail: first)
            }
            throw EnvelopeFault(fault: .schema, detail: complaints.prefix(3).joined(separator: "; "))
        }
        guard let envelope = Envelope(soap: tree) else { throw EnvelopeFault(fault: .schema, detail: "no RegFactuSistemaFacturacion in the body") }
        let answer = await ledger.submit(envelope)
        return AgencyResponse.answer(answer, envelope: envelope, waitSeconds: ledger.waitSeconds)
    }

    private static func soap(_ xml: String, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "text/xml; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: xml)))
    }

    /// `POST /mode?set=normal|slow|down|refuse[&delayMs=n]`, and `GET /ledger` (what was booked, every envelope seen,
    /// the faults counted by code).
    static func control(ledger: AgencyLedger) -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/mode") { request, _ -> Response in
            guard let name = request.uri.queryParameters.get("set"), let mode = AgencyLedger.Mode(rawValue: name) else {
                return Response(status: .badRequest, body: .init(byteBuffer: ByteBuffer(string: "set=normal|slow|down|refuse\n")))
            }
            let delay = request.uri.queryParameters.get("delayMs").flatMap(Int.init) ?? 2_000
            await ledger.set(mode: mode, slowMilliseconds: delay)
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "\(mode.rawValue)\n")))
        }
        router.get("/ledger") { _, _ -> Response in
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            let data = try encoder.encode(await ledger.summary())
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        return router
    }
}
