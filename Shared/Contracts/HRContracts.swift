/// `pos.shift.opened.v1` and `pos.shift.closed.v1` on exchange `pos`, routing keys `shift.opened.<store>.<terminal>`
/// and `shift.closed.<store>.<terminal>`: a cashier opened or closed a shift at a till.
public struct ShiftEventV1: Codable, Sendable, Equatable {
    public static let openedType = "pos.shift.opened.v1"
    public static let closedType = "pos.shift.closed.v1"

    /// Chosen by the till when the shift opens (a UUID); the close names the same one.
    public var shiftId: String
    public var employeeId: String
    public var storeId: String
    public var terminalId: String
    /// ISO 8601 with the till's offset, as in `occurredAt`.
    public var at: String

    public init(shiftId: String, employeeId: String, storeId: String, terminalId: String, at: String) {
        self.shiftId = shiftId
        self.employeeId = employeeId
        self.storeId = storeId
        self.terminalId = terminalId
        self.at = at
    }

    public func routingKey(opened: Bool) -> String { "shift.\(opened ? "opened" : "closed").\(storeId).\(terminalId)" }
}

/// `pos.announcement.read.v1` on exchange `pos`, routing key `announcement.read.<store>.<terminal>`: a cashier read an
/// announcement at a till.
public struct AnnouncementReadV1: Codable, Sendable, Equatable {
    public static let messageType = "pos.announcement.read.v1"

    public var announcementId: String
    public var employeeId: String
    public var storeId: String
    public var terminalId: String
    public var readAt: String

    public init(announcementId: String, employeeId: String, storeId: String, terminalId: String, readAt: String) {
        self.announcementId = announcementId
        self.employeeId = employeeId
        self.storeId = storeId
        self.terminalId = terminalId
        self.readAt = readAt
    }

    public var routingKey: String { "announcement.read.\(storeId).\(terminalId)" }
}

/// `announcement.<store>` on exchange `hr.events`: head office's message for one store's floor.
public struct AnnouncementV1: Codable, Sendable, Equatable {
    public static let messageType = "hr.announcement.v1"

    public var announcementId: String
    public var storeId: String
    public var title: String
    public var body: String
    /// `low`, `normal` or `high`.
    public var priority: String
    /// When given, only these roles are meant to read it.
    public var roles: [String]?
    public var publishedAt: String

    public init(announcementId: String, storeId: String, title: String, body: String, priority: String, roles: [String]?, publishedAt: String) {
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
public struct EmployeeEventV1: Codable, Sendable, Equatable {
    public static let messageType = "hr.employee.v1"

    public var event: String
    public var employeeId: String
    public var name: String
    public var role: String
    public var stores: [String]
    public var active: Bool

    public init(event: String, employeeId: String, name: String, role: String, stores: [String], active: Bool) {
        self.event = event
        self.employeeId = employeeId
        self.name = name
        self.role = role
        self.stores = stores
        self.active = active
    }

    public var routingKey: String { "employee.\(event)" }
}
