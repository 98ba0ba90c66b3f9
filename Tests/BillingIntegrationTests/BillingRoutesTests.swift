import Testing
import TrastiendaTesting

@testable import billing

@Suite("Billing's HTTP API")
struct BillingRoutesTests {
    @Test("issuers are set per store, listed and read back; bad requests get a 400 with a message")
    func issuers() async throws {
        try await RunningService.with(Billing.definition) { service in
            let put = try await service.request(
                "PUT", "/issuers/B12345674", body: #"{"legalName":"Franquicia Norte SL","address":"C/ Mayor 1, Burgos","stores":["S001","S002"]}"#)
            #expect(put.status == 200, "\(put.body)")
            #expect(put.body.contains(#""stores":["S001","S002"]"#), "\(put.body)")
            let list = try await service.request("GET", "/issuers")
            #expect(list.status == 200 && list.body.contains("Franquicia Norte SL"))
            #expect(try await service.request("GET", "/issuers/B12345674").status == 200)
            #expect(try await service.request("GET", "/issuers/X99999999").status == 404)
            let badJSON = try await service.request("PUT", "/issuers/B12345674", body: "{not json")
            #expect(badJSON.status == 400 && badJSON.body.contains("legalName"))
            let badStore = try await service.request(
                "PUT", "/issuers/B12345674", body: #"{"legalName":"X","address":"Y","stores":["S.001"]}"#)
            #expect(badStore.status == 400)
            #expect(try await service.request("PUT", "/issuers/B-1", body: #"{"legalName":"X","address":"Y","stores":[]}"#).status == 400)
            // An issuer is a Spanish NIF whose control character checks, named in at most 120 characters, with no NUL.
            #expect(try await service.request("PUT", "/issuers/B12345678", body: #"{"legalName":"X","address":"Y","stores":[]}"#).status == 400)
            let long = String(repeating: "N", count: 121)
            #expect(try await service.request("PUT", "/issuers/B12345674", body: #"{"legalName":"\#(long)","address":"Y","stores":[]}"#).status == 400)
            #expect(try await service.request("PUT", "/issuers/B12345674", body: #"{"legalName":"Norte\u0000SL","address":"Y","stores":[]}"#).status == 400)
            let chain = try await service.request("GET", "/issuers/B12345674/chain")
            #expect(chain.body == #"{"issuer":"B12345674","records":0,"valid":true,"firstBroken":null}"#)
            #expect(try await service.request("GET", "/series").body == #"{"items":[],"next":null}"#)
            // The service keeps serving after bad requests.
            #expect(try await service.request("GET", "/health/ready").status == 200)
        }
    }
}
