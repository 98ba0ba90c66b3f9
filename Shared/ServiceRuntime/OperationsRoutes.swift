import Hummingbird
import Metrics
import Prometheus

/// The routes every service answers beside its own: liveness, readiness and Prometheus metrics.
package enum OperationsRoutes {
    package static func add(
        to router: Router<BasicRequestContext>, service: String, readiness: Readiness, registry: PrometheusCollectorRegistry
    ) {
        Gauge(label: "trastienda_service_info", dimensions: [("service", service)]).record(1)
        let readyGauge = Gauge(label: "trastienda_service_ready", dimensions: [("service", service)])
        router.get("/health/live") { _, _ in
            jsonResponse(.ok, #"{"status":"live"}"#)
        }
        router.get("/health/ready") { _, _ in
            let checks = readiness.evaluate()
            let ready = checks.allSatisfy(\.passing)
            let fields = checks.map { "\"\($0.name)\":\($0.passing ? "true" : "false")" }.joined(separator: ",")
            return jsonResponse(ready ? .ok : .serviceUnavailable, #"{"status":"\#(ready ? "ready" : "not ready")","checks":{\#(fields)}}"#)
        }
        router.get("/metrics") { _, _ in
            readyGauge.record(readiness.evaluate().allSatisfy(\.passing) ? 1 : 0)
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
    }

    /// `{"error": {"code": …, "message": …}}` with `status`: what a client did wrong, in words it can act on; the code
    /// is the status's (`bad_request`, `not_found`…) unless one is given.
    package static func errorResponse(_ status: HTTPResponse.Status, _ message: String, code: String? = nil) -> Response {
        jsonResponse(status, #"{"error":{"code":"\#(code ?? errorCode(status))","message":"\#(jsonEscaped(message))"}}"#)
    }

    /// The error code of a status, when the route gives none: `bad_request`, `not_found`, `conflict`…
    static func errorCode(_ status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: "bad_request"
        case 401: "unauthenticated"
        case 403: "forbidden"
        case 404: "not_found"
        case 409: "conflict"
        case 413: "too_large"
        case 422: "unprocessable"
        case 503: "unavailable"
        default: status.code >= 500 ? "internal" : "error"
        }
    }

    /// `text` as the inside of a JSON string: quotes, backslashes and every control character escaped.
    package static func jsonEscaped(_ text: String) -> String {
        var escaped = ""
        for character in text.unicodeScalars {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            case "\t": escaped += "\\t"
            case "\r": escaped += "\\r"
            default:
                if character.value < 0x20 || character.value == 0x7F {
                    let hex = String(character.value, radix: 16)
                    escaped += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    escaped.unicodeScalars.append(character)
                }
            }
        }
        return escaped
    }

    /// Whether `text` can be a store id, SKU or order id: 1–48 ASCII letters, digits, `-` or `_`.
    package static func isIdentifier(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 48 && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    /// A JSON response with `body` in the one style every service answers in: compact, without the spaces
    /// PostgreSQL's `json_build_object` puts around its colons and commas.
    package static func jsonResponse(_ status: HTTPResponse.Status, _ body: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: compactJSON(body)))
    }

    /// `json` without the whitespace between its tokens (what is inside strings is kept as it is).
    static func compactJSON(_ json: String) -> ByteBuffer {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(json.utf8.count)
        var inString = false
        var escaped = false
        for byte in json.utf8 {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") {
                continue
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            }
            bytes.append(byte)
        }
        return ByteBuffer(bytes: bytes)
    }
}
