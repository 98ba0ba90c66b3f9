import Hummingbird
import Testing

@testable import ServiceRuntime

@Suite("One JSON style")
struct CompactJSONTests {
    @Test("PostgreSQL's spaced JSON comes out compact; what is inside strings stays as it was")
    func compacts() {
        let spaced = #"{"taxId" : "B1", "stores" : ["S 1", "a \" : b"], "note" : "tab\there \\", "n" : [1, 2]}"# + "\n"
        let compact = OperationsRoutes.compactJSON(spaced)
        #expect(String(buffer: compact) == #"{"taxId":"B1","stores":["S 1","a \" : b"],"note":"tab\there \\","n":[1,2]}"#)
    }
}
