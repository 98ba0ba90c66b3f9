import AMQPClient
import Contracts
import Foundation
import Testing

@Suite("billing.invoices.issued.v1: many documents in one message")
struct InvoicesIssuedTests {
    let first = Array(#"{"kind":"F2","number":"S001-2026/1","terminalId":"S001-T01","lines":[{"sku":"A","description":"{[\"]}"}]}"#.utf8)
    let second = Array(#"{"kind":"R5","number":"R-S001-2026/1","terminalId":"S001-T\u0030","totalCents":-5}"#.utf8)

    @Test("each document comes back byte for byte, whatever it holds; trace contexts by number; JSONSerialization reads the batch")
    func roundTrip() throws {
        let batch = InvoicesIssuedV1(storeId: "S001", documents: [first[...], second[...]], traceparents: ["S001-2026/1": "00-abc-def-01"])
        let body = batch.json()
        let read = try InvoicesIssuedV1.parse(body)
        #expect(read.storeId == "S001")
        #expect(read.documents.map { Array($0) } == [first, second])
        #expect(read.traceparents == ["S001-2026/1": "00-abc-def-01"])
        let plain = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        #expect((plain["documents"] as? [Any])?.count == 2)
        #expect(try InvoicesIssuedV1.parse(Array(#" { "documents" : [ ] , "storeId" : "S002" , "extra" : [1, {"a": null}] } "#.utf8)).documents.isEmpty)
    }

    @Test("a batch without its store or documents, documents that are not objects, broken JSON: refused with the field")
    func refused() {
        for (body, words) in [
            (#"{"storeId":"S001"}"#, "documents"), (#"{"documents":[]}"#, "storeId"), (#"{"storeId":"S001","documents":[1]}"#, "documents[0]"),
            (#"{"storeId":"S001","documents":{}}"#, "documents"), (#"{"storeId":"S001","documents":[{"a":}]}"#, "JSON"),
            (#"{"storeId":"S001","documents":[],"storeId":"S002"}"#, "storeId"), (#"{"storeId":"S001","documents":[]} x"#, "after"),
        ] {
            #expect {
                _ = try InvoicesIssuedV1.parse(Array(body.utf8))
            } throws: { error in
                (error as? SaleViolation)?.reason.contains(words) == true
            }
        }
    }

    @Test("the terminal is read where it lies; an escaped one is left for the decoder")
    func terminal() {
        #expect(InvoicesIssuedV1.terminalId(in: first[...]) == "S001-T01")
        #expect(InvoicesIssuedV1.terminalId(in: second[...]) == nil)
        #expect(InvoicesIssuedV1.terminalId(in: Array(#"{"kind":"F2"}"#.utf8)[...]) == nil)
    }

    @Test("split into one message per document, each naming the original message")
    func split() throws {
        let batch = InvoicesIssuedV1(storeId: "S001", documents: [first[...], second[...]])
        let delivery = Delivery(
            deliveryTag: 1, connectionGeneration: 1, exchange: "billing.events", routingKey: "invoices.issued.S001", redelivered: false,
            body: batch.json(), properties: MessageProperties(type: InvoicesIssuedV1.messageType, messageId: "S001-2026/1+2"))
        let parts = try #require(InvoicesIssuedV1.split(delivery))
        #expect(try parts.map { try InvoicesIssuedV1.parse($0.body).documents.map { Array($0) } } == [[first], [second]])
        #expect(parts.map(\.properties.messageId) == ["S001-2026/1+2/1", "S001-2026/1+2/2"])
        #expect(parts.allSatisfy { $0.properties.headers[MessagePart.originalMessageIdHeader] == .string("S001-2026/1+2") })
        let alone = Delivery(
            deliveryTag: 2, connectionGeneration: 1, exchange: "billing.events", routingKey: "invoices.issued.S001", redelivered: false,
            body: InvoicesIssuedV1(storeId: "S001", documents: [first[...]]).json(), properties: MessageProperties())
        #expect(InvoicesIssuedV1.split(alone) == nil)
    }
}
