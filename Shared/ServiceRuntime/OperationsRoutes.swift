import Hummingbird
import Metrics
import Prometheus

/// The routes every service answers beside its own: liveness, readiness and Prometheus metrics.
public enum OperationsRoutes {
    public static func add(
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

    /// `{"error": message}` with `status`: what a client did wrong, in words it can act on.
    public static func errorResponse(_ status: HTTPResponse.Status, _ message: String) -> Response {
        var escaped = ""
        for character in message.unicodeScalars {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return jsonResponse(status, #"{"error":"\#(escaped)"}"#)
    }

    /// Whether `text` can be a store id, SKU or order id: 1–48 ASCII letters, digits, `-` or `_`.
    public static func isIdentifier(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 48 && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    /// A JSON response with `body` as it is.
    public static func jsonResponse(_ status: HTTPResponse.Status, _ body: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
