import AMQPClient
import Foundation
import Testing

@Suite("Random message ids")
struct MessageIdTests {
    @Test("a message id is a version 4 UUID in lower case, and a new one each time")
    func versionFour() throws {
        let ids = (0..<1_000).map { _ in MessageId.random() }
        #expect(Set(ids).count == ids.count)
        for id in ids {
            let uuid = try #require(UUID(uuidString: id), "\(id) is not a UUID")
            #expect(uuid.uuidString.lowercased() == id)
            let bytes = uuid.uuid
            #expect(bytes.6 >> 4 == 4, "version of \(id)")
            #expect(bytes.8 >> 6 == 0b10, "variant of \(id)")
        }
    }
}
