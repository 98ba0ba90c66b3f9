import Testing

@testable import hr

/// HR's shift flags without a database: what an employee's assignment on a shift's day says about it.
@Suite("Shift flags")
struct ShiftFlagsTests {
    @Test("a shift is unassigned when its employee is not at the store, not active, or not employed that day; unknown when there is no employee")
    func assignment() {
        let employed = ShiftFlag.Employment(assignedToStore: true, active: true, startDate: "2026-01-01", endDate: "2026-06-30")
        #expect(ShiftFlag.assignment(employed, day: "2026-01-01").isEmpty)  // the first day counts
        #expect(ShiftFlag.assignment(employed, day: "2026-06-30").isEmpty)  // and the last
        #expect(ShiftFlag.assignment(employed, day: "2025-12-31") == [.unassigned])
        #expect(ShiftFlag.assignment(employed, day: "2026-07-01") == [.unassigned])
        var elsewhere = employed
        elsewhere.assignedToStore = false
        #expect(ShiftFlag.assignment(elsewhere, day: "2026-03-01") == [.unassigned])
        var inactive = employed
        inactive.active = false
        #expect(ShiftFlag.assignment(inactive, day: "2026-03-01") == [.unassigned])
        var open = employed
        open.endDate = nil
        #expect(ShiftFlag.assignment(open, day: "2031-03-01").isEmpty)
        #expect(ShiftFlag.assignment(nil, day: "2026-03-01") == [.unknownEmployee])
    }

    @Test("flags are stored under the names the API and the console show")
    func names() {
        #expect(ShiftFlag.names(ShiftFlag.allCases) == ["unknown_employee", "unassigned", "close_without_open", "closes_before_open", "overlapping"])
    }
}
