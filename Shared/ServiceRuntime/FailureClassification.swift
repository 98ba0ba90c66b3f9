import AMQPClient
import PostgresClient

extension HandlerFailure {
    /// A service's verdict on its handler's errors: the broker's (see ``HandlerFailure/classify(_:)``) and the
    /// database's, by SQLSTATE class. Transient: a connection that failed or was lost (class 08, or no SQLSTATE with
    /// the connection down), a transaction rolled back for concurrency (40: serialization failure, deadlock),
    /// insufficient resources (53), the server shutting down or not yet accepting connections (57), a system error
    /// (58), a lock not available (55P03). Any other SQLSTATE is about the data (22 data exception, 23 a constraint…):
    /// deterministic, with the class in the code (`handler.sqlstate_22`).
    package static func classifyServiceError(_ error: any Error) -> HandlerFailure {
        guard let error = error as? PostgresError else { return classify(error) }
        switch error.code {
        case .connectionFailed, .closed: return .transient
        case .decodingFailed: return .deterministic(code: "handler.decoding_failed")
        default: break
        }
        guard let state = error.sqlState, state.utf8.count == 5 else {
            // No SQLSTATE: libpq itself failed (sending COPY data, a connection that broke mid-statement).
            return error.code == .copyFailed || error.code == .queryFailed ? .transient : .deterministic(code: handlerFailedCode)
        }
        let sqlClass = String(state.prefix(2))
        if ["08", "40", "53", "57", "58"].contains(sqlClass) || state == "55P03" { return .transient }
        return .deterministic(code: "handler.sqlstate_\(sqlClass)")
    }
}
