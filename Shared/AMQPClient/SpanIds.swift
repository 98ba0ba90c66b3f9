/// Span ids for the many messages one batch causes: one draw from the system's random source when made, then
/// SplitMix64 from it. A span id needs to be unique in its trace, not unpredictable, and the system's source costs a
/// system call per draw, which billing paid for every invoice it announced.
package struct SpanIds {
    private var state: UInt64

    package init() { state = UInt64.random(in: .min ... .max) }

    /// The next id, never zero (which means "no parent"): Steele, Lea and Flood's SplitMix64, whose outputs over
    /// 2^64 steps of its state are all different.
    package mutating func nextSpan() -> UInt64 {
        while true {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            if z != 0 { return z }
        }
    }
}
