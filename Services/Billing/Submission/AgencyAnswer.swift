import Foundation
import XMLTree

/// What the tax agency answered to an envelope (`RespuestaRegFactuSistemaFacturacion`), or why there is no answer.
enum AgencyAnswer: Sendable, Equatable {
    /// The envelope was read: a state per record, in the order they were sent.
    case answered(Answered)
    /// The envelope was refused whole (a SOAP fault, `Codigo[n]`): nothing of it was booked.
    case refused(code: Int?, description: String)

    struct Line: Sendable, Equatable {
        var seriesNumber: String
        var operation: String
        /// `Correcto`, `AceptadoConErrores` or `Incorrecto`.
        var state: String
        var errorCode: Int?
        var errorDescription: String?
        /// For a record the agency already holds (`RegistroDuplicado`): how it stands there
        /// (`Correcta`, `AceptadaConErrores`, `Anulada`).
        var duplicateState: String?
    }

    struct Answered: Sendable, Equatable {
        var csv: String?
        var waitSeconds: Int
        var state: String
        var lines: [Line]
    }

    /// Reads the agency's answer; nil when it is neither an answer nor a SOAP fault (a proxy's error page, say).
    static func read(_ bytes: [UInt8]) -> AgencyAnswer? {
        guard let envelope = try? XMLTree.parse(bytes), envelope.name == "Envelope", let body = envelope.child("Body") else { return nil }
        if let fault = body.child("Fault") {
            let text = (fault.text("faultstring") ?? "").trimmingWhitespace
            return .refused(code: code(in: text), description: text)
        }
        guard let answer = body.child("RespuestaRegFactuSistemaFacturacion"), let state = answer.text("EstadoEnvio")?.trimmingWhitespace,
            let wait = answer.text("TiempoEsperaEnvio").flatMap({ Int($0.trimmingWhitespace) })
        else { return nil }
        let lines = answer.children("RespuestaLinea").map { line in
            Line(
                seriesNumber: line.text("IDFactura", "NumSerieFactura")?.trimmingWhitespace ?? "",
                operation: line.text("Operacion", "TipoOperacion")?.trimmingWhitespace ?? "",
                state: line.text("EstadoRegistro")?.trimmingWhitespace ?? "",
                errorCode: line.text("CodigoErrorRegistro").flatMap { Int($0.trimmingWhitespace) },
                errorDescription: line.text("DescripcionErrorRegistro")?.trimmingWhitespace,
                duplicateState: line.text("RegistroDuplicado", "EstadoRegistroDuplicado")?.trimmingWhitespace)
        }
        return .answered(Answered(csv: answer.text("CSV")?.trimmingWhitespace, waitSeconds: wait, state: state, lines: lines))
    }

    /// The `n` of `Codigo[n]` in a fault's text.
    private static func code(in text: String) -> Int? {
        guard let start = text.range(of: "Codigo["), let end = text[start.upperBound...].firstIndex(of: "]") else { return nil }
        return Int(text[start.upperBound..<end])
    }
}

extension AgencyAnswer.Line {
    /// The state to keep for the record: a duplicate of a record the agency accepted is that acceptance (the answer
    /// to an envelope sent again after a crash), not a rejection.
    var recordState: String {
        switch duplicateState {
        case "Correcta", "Anulada": "Correcto"
        case "AceptadaConErrores": "AceptadoConErrores"
        default: state
        }
    }
}
