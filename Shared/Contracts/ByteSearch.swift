#if canImport(Glibc)
import Glibc
#endif

extension Array where Element == UInt8 {
    /// Whether `needle` occurs in these bytes: the C library's `memchr` finds each candidate first byte and `memcmp`
    /// compares the rest. A message body is looked into this way before it is decoded; Foundation's generic
    /// `firstRange(of:)` cost collections most of its time per document (it allocated on every step).
    package func contains(bytes needle: [UInt8]) -> Bool {
        guard let first = needle.first else { return true }
        return withUnsafeBytes { haystack in
            needle.withUnsafeBytes { needle in
                guard let base = haystack.baseAddress, haystack.count >= needle.count else { return false }
                let end = base + haystack.count
                var cursor = base
                while end - cursor >= needle.count, let found = memchr(cursor, Int32(first), end - cursor) {
                    let candidate = UnsafeRawPointer(found)
                    if end - candidate < needle.count { return false }
                    if memcmp(candidate, needle.baseAddress!, needle.count) == 0 { return true }
                    cursor = candidate + 1
                }
                return false
            }
        }
    }
}
