import Contracts
import Foundation
import PostgresClient

/// Shifts as the tills report them, turned into timesheets. Nothing is dropped: a shift by an unknown employee
/// (`unknown_employee`), by one not assigned to that store or not employed that day (`unassigned`), a close
/// without an open (`close_without_open`), a close before its open (`closes_before_open`) and shifts of one
/// employee that overlap (`overlapping`, on both, in whatever order their messages are handled; cleared when a close
/// ends the overlap) are recorded with their flags. Each shift is keyed by its id, so a message delivered again
/// changes nothing.
enum Shifts {
    static func opened(_ shift: ShiftEventV1, on connection: PostgresConnection) throws {
        try serialize(shift, on: connection)
        let day = String(shift.at.prefix(10))
        let flags = try assignmentFlags(shift, day: day, on: connection)
        // An earlier close for this shift (messages out of order): the open completes it.
        if let row = try connection.query("SELECT opened_at IS NULL FROM shifts WHERE shift_id = $1 FOR UPDATE", [shift.shiftId]).first {
            guard try row.decode(Bool.self, at: 0) else { return }  // opened before: a redelivery
            try connection.query(
                """
                UPDATE shifts SET opened_at = $2::timestamptz, day = $3::date,
                    flags = array_remove(flags, $5) || $4::text[]
                WHERE shift_id = $1
                """, [shift.shiftId, shift.at, day, PostgresArrays.text(ShiftFlag.names(flags)), ShiftFlag.closeWithoutOpen.rawValue])
        } else {
            try connection.query(
                """
                INSERT INTO shifts (shift_id, employee_id, store_id, terminal_id, day, opened_at, flags)
                VALUES ($1, $2, $3, $4, $5::date, $6::timestamptz, $7::text[])
                """, [shift.shiftId, shift.employeeId, shift.storeId, shift.terminalId, day, shift.at, PostgresArrays.text(ShiftFlag.names(flags))])
        }
        try refreshOverlaps(employee: shift.employeeId, from: shift.at, on: connection)
    }

    static func closed(_ shift: ShiftEventV1, on connection: PostgresConnection) throws {
        try serialize(shift, on: connection)
        guard let row = try connection.query(
            "SELECT opened_at IS NOT NULL AND opened_at > $2::timestamptz, opened_at::text FROM shifts WHERE shift_id = $1 FOR UPDATE",
            [shift.shiftId, shift.at]
        ).first else {
            try connection.query(
                """
                INSERT INTO shifts (shift_id, employee_id, store_id, terminal_id, day, closed_at, flags)
                VALUES ($1, $2, $3, $4, $5::date, $6::timestamptz, $7::text[])
                """, [
                    shift.shiftId, shift.employeeId, shift.storeId, shift.terminalId, String(shift.at.prefix(10)), shift.at,
                    PostgresArrays.text(ShiftFlag.names([.closeWithoutOpen])),
                ])
            return
        }
        let beforeOpen: Bool = try row.decode(at: 0)
        try connection.query(
            """
            UPDATE shifts SET closed_at = $2::timestamptz,
                flags = CASE WHEN $3 AND NOT $4::text = ANY(flags) THEN flags || $4::text ELSE flags END
            WHERE shift_id = $1
            """, [shift.shiftId, shift.at, beforeOpen, ShiftFlag.closesBeforeOpen.rawValue])
        // The shift ran on until now: shifts opened after this close no longer overlap it.
        if let opened = try row.decodeIfPresent(String.self, at: 1) {
            try refreshOverlaps(employee: shift.employeeId, from: opened, on: connection)
        }
    }

    /// Sets or clears `overlapping` on each of the employee's shifts that reach past `from` (the open of the shift
    /// that just changed: only those can have begun or ceased to overlap it), by what is recorded now: two shifts
    /// overlap when each opens before the other closes (a shift not closed yet runs on). Whatever order the tills'
    /// messages are handled in, the flags end the same.
    private static func refreshOverlaps(employee: String, from: String, on connection: PostgresConnection) throws {
        try connection.query(
            """
            WITH affected AS (
                SELECT t.shift_id, EXISTS (
                    SELECT 1 FROM shifts u
                    WHERE u.employee_id = t.employee_id AND u.shift_id <> t.shift_id AND u.opened_at IS NOT NULL
                      AND u.opened_at < coalesce(t.closed_at, 'infinity') AND t.opened_at < coalesce(u.closed_at, 'infinity')
                ) AS overlaps
                FROM shifts t
                WHERE t.employee_id = $1 AND t.opened_at IS NOT NULL AND coalesce(t.closed_at, 'infinity') > $2::timestamptz
            )
            UPDATE shifts s
            SET flags = CASE WHEN a.overlaps THEN s.flags || $3::text ELSE array_remove(s.flags, $3::text) END
            FROM affected a
            WHERE s.shift_id = a.shift_id AND a.overlaps <> ($3::text = ANY(s.flags))
            """, [employee, from, ShiftFlag.overlapping.rawValue])
    }

    /// One employee's shifts are handled one transaction at a time (until this one ends): batches in flight side
    /// by side, or replicas, would otherwise each miss the other's uncommitted shift when looking for overlaps.
    private static func serialize(_ shift: ShiftEventV1, on connection: PostgresConnection) throws {
        try connection.query("SELECT pg_advisory_xact_lock(hashtext('hr.shifts'), hashtext($1))", [shift.employeeId])
    }

    private static func assignmentFlags(_ shift: ShiftEventV1, day: String, on connection: PostgresConnection) throws -> [ShiftFlag] {
        let employment = try connection.query(
            "SELECT $2 = ANY(stores), active, start_date::text, end_date::text FROM employees WHERE id = $1", [shift.employeeId, shift.storeId]
        ).first.map {
            ShiftFlag.Employment(
                assignedToStore: try $0.decode(at: 0), active: try $0.decode(at: 1), startDate: try $0.decode(at: 2),
                endDate: try $0.decodeIfPresent(String.self, at: 3))
        }
        return ShiftFlag.assignment(employment, day: day)
    }
}
