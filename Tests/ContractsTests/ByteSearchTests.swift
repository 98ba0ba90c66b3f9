import Contracts
import Testing

@Suite("Looking into bytes")
struct ByteSearchTests {
    @Test("a needle at the start, in the middle, at the end, absent, longer than the bytes, empty")
    func contains() {
        let body = Array(#"{"payments":[{"method":"deferred","amountCents":5}]}"#.utf8)
        #expect(body.contains(bytes: Array(#"{"payments""#.utf8)))
        #expect(body.contains(bytes: Array(#""deferred""#.utf8)))
        #expect(body.contains(bytes: Array("5}]}".utf8)))
        #expect(!body.contains(bytes: Array(#""tillSessionId""#.utf8)))
        #expect(!Array("ab".utf8).contains(bytes: Array("abc".utf8)))
        #expect(body.contains(bytes: []))
        #expect(![UInt8]().contains(bytes: Array("a".utf8)))
    }
}
