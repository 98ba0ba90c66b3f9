/// What can be odd about a shift, as its timesheet records it (nothing is dropped: the shift is kept with its flags).
enum ShiftFlag: String, Sendable, CaseIterable {
    /// The till named an employee HR does not know.
    case unknownEmployee = "unknown_employee"
    /// The employee is not assigned to the store, not active, or not employed that day.
    case unassigned
    /// A close arrived and no open (yet: an open arriving later completes the shift and clears it).
    case closeWithoutOpen = "close_without_open"
    /// The close is earlier than the open.
    case closesBeforeOpen = "closes_before_open"
    /// Another shift of the same employee was open at the time (flagged on both).
    case overlapping

    /// An employee as a shift's day finds them.
    struct Employment: Sendable, Equatable {
        var assignedToStore: Bool
        var active: Bool
        /// `yyyy-mm-dd`.
        var startDate: String
        var endDate: String?
    }

    /// The flags a shift opened on `day` (`yyyy-mm-dd`) gets from its employee's employment (nil: unknown).
    static func assignment(_ employment: Employment?, day: String) -> [ShiftFlag] {
        guard let employment else { return [.unknownEmployee] }
        // Dates written yyyy-mm-dd compare as text.
        let employed = employment.startDate <= day && (employment.endDate.map { day <= $0 } ?? true)
        return employment.assignedToStore && employment.active && employed ? [] : [.unassigned]
    }

    /// Flags as the `shifts.flags` column holds them.
    static func names(_ flags: [ShiftFlag]) -> [String] { flags.map(\.rawValue) }
}
