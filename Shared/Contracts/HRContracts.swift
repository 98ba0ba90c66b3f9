/// `pos.shift.opened.v1` and `pos.shift.closed.v1` on exchange `pos`, routing keys `shift.opened.<store>.<terminal>`
/// and `shift.closed.<store>.<terminal>`: a cashier opened or closed a shift at a till.
package struct ShiftEventV1: Codable, Sendable, Equatable {
    package static let openedType = "pos.shift.opened.v1"
    package static let closedType = "pos.shift.closed.v1"

    /// Chosen by the till when the shift opens (a UUID); the close names the same one.
    package var shiftId: String
    package var employeeId: String
    package var storeId: String
    package var terminalId: String
    /// ISO 8601 with the till's offset, as in `occurredAt`.
    package var at: String

    package init(shiftId: String, employeeId: String, storeId: String, terminalId: String, at: String) {
        self.shiftId = shiftId
        self.employeeId = employeeId
        self.storeId = storeId
        self.terminalId = terminalId
        self.at = at
    }

    package func routingKey(opened: Bool) -> String { "shift.\(opened ? "opened" : "closed").\(storeId).\(terminalId)" }
}

/// `pos.announcement.read.v1` on exchange `pos`, routing key `announcement.read.<store>.<terminal>`: a cashier read an
/// announcement at a till.
package struct AnnouncementReadV1: Codable, Sendable, Equatable {
    package static let messageType = "pos.announcement.read.v1"

    package var announcementId: String
    package var employeeId: String
    package var storeId: String
    package var terminalId: String
    package var readAt: String

    package init(announcementId: String, employeeId: String, storeId: String, terminalId: String, readAt: String) {
        self.announcementId = announcementId
        self.employeeId = employeeId
        self.storeId = storeId
        self.terminalId = terminalId
        self.readAt = readAt
    }

    package var routingKey: String { "announcement.read.\(storeId).\(terminalId)" }
}

/// `announcement.<store>` on exchange `hr.events`: head office's message for one store's floor.
package struct AnnouncementV1: Codable, Sendable, Equatable {
    package static let messageType = "hr.announcement.v1"

    package var announcementId: String
    package var storeId: String
    package var title: String
    package var body: String
    /// `low`, `normal` or `high`.
    package var priority: String
    /// When given, only these roles are meant to read it.
    package var roles: [String]?
    package var publishedAt: String

    package init(announcementId: String, storeId: String, title: String, body: String, priority: String, roles: [String]?, publishedAt: String) {
        self.announcementId = announcementId
        self.storeId = storeId
        self.title = title
        self.body = body
        self.priority = priority
        self.roles = roles
        self.publishedAt = publishedAt
    }
}

/// `employee.created` and `employee.updated` on exchange `hr.events`: who works where, without personal data beyond
/// the name.
package struct EmployeeEventV1: Codable, Sendable, Equatable {
    package static let messageType = "hr.employee.v1"

    package var event: String
    package var employeeId: String
    package var name: String
    package var role: String
    package var stores: [String]
    package var active: Bool

    package init(event: String, employeeId: String, name: String, role: String, stores: [String], active: Bool) {
        self.event = event
        self.employeeId = employeeId
        self.name = name
        self.role = role
        self.stores = stores
        self.active = active
    }

    package var routingKey: String { "employee.\(event)" }
}
