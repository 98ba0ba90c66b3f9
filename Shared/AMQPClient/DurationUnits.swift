/// A `Duration` in the units that metrics, SQL intervals and AMQP's per-message TTL take: whole milliseconds,
/// microseconds and nanoseconds (truncated), and seconds as a `Double` for reports.
extension Duration {
    package var wholeMilliseconds: Int64 { components.seconds * 1_000 + components.attoseconds / 1_000_000_000_000_000 }
    package var wholeMicroseconds: Int64 { components.seconds * 1_000_000 + components.attoseconds / 1_000_000_000_000 }
    package var wholeNanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
    package var secondsValue: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
