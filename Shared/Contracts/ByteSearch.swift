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
    /// Where `needle` first occurs in `haystack`: the C library's `memchr` finds each candidate for one byte of the
    /// needle and `memcmp` compares the whole. That byte is the first one that is not JSON's punctuation (a needle
    /// `"deferred"` is looked for by its `d`): a quote occurs every few bytes of a document, and stopping at each
    /// cost collections most of its time per document.
    static func offset(of needle: [UInt8], in haystack: UnsafeRawBufferPointer) -> Int? {
        guard !needle.isEmpty else { return 0 }
        let pivot = needle.firstIndex { !Self.punctuation.contains($0) } ?? 0
        return needle.withUnsafeBytes { needle in
            guard let base = haystack.baseAddress, haystack.count >= needle.count else { return nil }
            let end = base + haystack.count
            // A candidate's pivot lies at or after `base + pivot`, and leaves room for the rest of the needle.
            var cursor = base + pivot
            let lastPivot = end - (needle.count - pivot)
            while cursor <= lastPivot, let found = memchr(cursor, Int32(needle[pivot]), lastPivot - cursor + 1) {
                let candidate = UnsafeRawPointer(found) - pivot
                if memcmp(candidate, needle.baseAddress!, needle.count) == 0 { return candidate - base }
                cursor = UnsafeRawPointer(found) + 1
            }
            return nil
        }
    }

    private static let punctuation: Set<UInt8> = Set(#""{}[]:, "#.utf8)
}
