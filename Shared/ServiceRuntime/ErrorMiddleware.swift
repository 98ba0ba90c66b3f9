import Hummingbird
import Logging
import PostgresClient

/// Whatever a route throws becomes an answer in the one error shape (`{"error": {"code", "message"}}`): a value the
/// database cannot take (SQLSTATE class 22, a NOT NULL or CHECK refusal) is the caller's 400, a uniqueness or
/// reference refusal a 409, a database that cannot be reached a 503, an `HTTPError` its own status; anything else is
/// logged and answered 500 without its details. No input ends the process or leaves a request without an answer.
package struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    package init(logger: Logger) { self.logger = logger }

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as PostgresError {
            let state = error.sqlState ?? ""
            let firstLine = String(error.message.split(separator: "\n").first ?? "")
            switch state.prefix(2) {
            case "22": return OperationsRoutes.errorResponse(.badRequest, "a value the database cannot take: \(firstLine)", code: "invalid_value")
            case "23" where state == "23502" || state == "23514":
                return OperationsRoutes.errorResponse(.badRequest, "a value the database refuses: \(firstLine)", code: "invalid_value")
            case "23": return OperationsRoutes.errorResponse(.conflict, "it conflicts with what is stored: \(firstLine)")
            case "08", "53", "57", "40":
                return OperationsRoutes.errorResponse(.serviceUnavailable, "the database is not answering; try again shortly")
            default:
                if error.code == .connectionFailed { return OperationsRoutes.errorResponse(.serviceUnavailable, "the database is not answering; try again shortly") }
                return internalError(error, request)
            }
        } catch let error as HTTPError {
            return OperationsRoutes.errorResponse(error.status, error.body ?? error.status.reasonPhrase)
        } catch {
            return internalError(error, request)
        }
    }

    private func internalError(_ error: any Error, _ request: Request) -> Response {
        logger.error(
            "Request failed", metadata: ["http.method": "\(request.method.rawValue)", "http.path": "\(request.uri.path)", "error": "\(error)"])
        return OperationsRoutes.errorResponse(.internalServerError, "the request could not be handled; it has been logged")
    }
}
