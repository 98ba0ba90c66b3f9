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

    @Test("every place a needle led by punctuation can lie, near misses, and ranges in a slice's own indices")
    func everyPlace() {
        let needle = Array(#""terminalId":""#.utf8)
        for length in 0..<40 {
            for at in 0...max(0, length - needle.count) where length >= needle.count {
                var body = [UInt8](repeating: UInt8(ascii: "t"), count: length)  // the needle's first letter everywhere
                body.replaceSubrange(at..<(at + needle.count), with: needle)
                #expect(body.contains(bytes: needle), "\(length) \(at)")
                #expect(body[...].firstRange(ofBytes: needle) == at..<(at + needle.count))
            }
            #expect(![UInt8](repeating: UInt8(ascii: "t"), count: length).contains(bytes: needle))
        }
        #expect(!Array(#"{"terminalI":"x","terminalId" :"y"}"#.utf8).contains(bytes: needle))
        let document = Array(#"xx{"terminalId":"S001-T01"}"#.utf8)
        let slice = document[2...]
        #expect(slice.firstRange(ofBytes: needle) == 3..<17)
        #expect(Array(#""a"#.utf8).contains(bytes: Array(#""a"#.utf8)))
    }
}
