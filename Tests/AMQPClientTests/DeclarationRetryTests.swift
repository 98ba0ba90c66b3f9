import Testing

@testable import AMQPClient

/// Which refusals of a declaration are asked again, and after how long, without a broker.
@Suite("Declaration retries")
struct DeclarationRetryTests {
    @Test("a refusal for what was asked (406, 404, 403) and any other error are given back at once, never tried again")
    func refusalsForWhatWasAsked() {
        for code in [403, 404, 406] {
            let refusal = AMQPError(.declarationFailed, "refused", replyCode: code)
            #expect(AMQPConnection.declarationRetryPause(after: refusal, attempt: 0) == nil, "\(code)")
        }
        #expect(AMQPConnection.declarationRetryPause(after: AMQPError(.declarationFailed, "no code"), attempt: 0) == nil)
        #expect(AMQPConnection.declarationRetryPause(after: CancellationError(), attempt: 0) == nil)
    }

    @Test("a refusal meaning 'not now' (541) is asked again five times after a doubling pause, then given back")
    func transientRefusal() {
        let refusal = AMQPError(.declarationFailed, "quorum not formed", replyCode: 541)
        let pauses = (0..<6).map { AMQPConnection.declarationRetryPause(after: refusal, attempt: $0) }
        #expect(pauses == [.milliseconds(400), .milliseconds(800), .milliseconds(1600), .milliseconds(3200), .milliseconds(6400), nil])
    }
}
