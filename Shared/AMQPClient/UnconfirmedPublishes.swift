/// Messages sent on the connection that is up and not yet confirmed by the broker, in delivery-tag order, each with
/// the ticket of the call that published it.
///
/// In confirm mode the broker numbers a channel's messages 1, 2, 3… and confirms them by tag, alone or "up to and
/// including" (`multiple`), usually in order; a confirm out of order is settled in place and skipped later.
struct UnconfirmedPublishes {
    /// A nil ticket was confirmed out of order.
    private var entries: [(tag: UInt64, ticket: PublishTicket?)] = []
    private var head = 0
    private var nextTag: UInt64 = 1

    var isEmpty: Bool { head == entries.count }
    var count: Int { entries.count - head }

    /// A new channel numbers from 1 again.
    mutating func restart() {
        precondition(isEmpty, "unconfirmed publishes of the last connection must be failed before the next one")
        nextTag = 1
    }

    /// One message of `ticket` was sent: it takes the channel's next tag.
    mutating func sent(_ ticket: PublishTicket) {
        entries.append((nextTag, ticket))
        nextTag += 1
    }

    /// The broker's `basic.ack` (or `basic.nack`, not `acknowledged`) for `tag`, or with `multiple` every tag up to it.
    mutating func confirm(upTo tag: UInt64, multiple: Bool, acknowledged: Bool) {
        if multiple {
            while head < entries.count, entries[head].tag <= tag {
                entries[head].ticket?.confirm(acknowledged: acknowledged)
                head += 1
            }
        } else if head < entries.count, entries[head].tag == tag {
            entries[head].ticket?.confirm(acknowledged: acknowledged)
            head += 1
        } else if let index = entries[head...].firstIndex(where: { $0.tag == tag }) {
            entries[index].ticket?.confirm(acknowledged: acknowledged)
            entries[index].ticket = nil
        }
        while head < entries.count, entries[head].ticket == nil { head += 1 }
        if head == entries.count {
            entries.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 8192 {
            entries.removeFirst(head)
            head = 0
        }
    }

    /// The connection is gone (or closed): no confirm will come for any of them.
    mutating func failAll(_ error: AMQPError) {
        for entry in entries[head...] { entry.ticket?.fail(error) }
        entries.removeAll()
        head = 0
    }
}
