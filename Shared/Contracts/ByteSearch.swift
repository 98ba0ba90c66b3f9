#if canImport(Glibc)
import Glibc
#endif

extension Array where Element == UInt8 {
    /// Whether `needle` occurs in these bytes (see ``ByteSearch``). A message body is looked into this way before it
    /// is decoded; Foundation's generic `firstRange(of:)` cost collections most of its time per document (it
    /// allocated on every step).
    package func contains(bytes needle: [UInt8]) -> Bool {
        withUnsafeBytes { ByteSearch.offset(of: needle, in: $0) } != nil
    }
}

extension ArraySlice where Element == UInt8 {
    /// Where `needle` first occurs in these bytes, in the slice's indices.
    package func firstRange(ofBytes needle: [UInt8]) -> Range<Int>? {
        withUnsafeBytes { ByteSearch.offset(of: needle, in: $0) }.map { (startIndex + $0)..<(startIndex + $0 + needle.count) }
    }
}

enum ByteSearch {
    /// Where `needle` first occurs in `haystack`: the C library's `memchr` finds each candidate first byte and
    /// `memcmp` compares the rest.
    static func offset(of needle: [UInt8], in haystack: UnsafeRawBufferPointer) -> Int? {
        guard let first = needle.first else { return 0 }
        return needle.withUnsafeBytes { needle in
            guard let base = haystack.baseAddress, haystack.count >= needle.count else { return nil }
            let end = base + haystack.count
            var cursor = base
            while end - cursor >= needle.count, let found = memchr(cursor, Int32(first), end - cursor) {
                let candidate = UnsafeRawPointer(found)
                if end - candidate < needle.count { return nil }
                if memcmp(candidate, needle.baseAddress!, needle.count) == 0 { return candidate - base }
                cursor = candidate + 1
            }
            return nil
        }
    }
}
