extension String {
    /// Calls `body` with the text's UTF-8 bytes. A native string lends its own storage (no copy, and none of the
    /// retain and release that `var copy = text; copy.withUTF8 { … }` costs); a bridged one is made contiguous first.
    @inlinable
    package func withUTF8Bytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        if let result = try utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = self
        return try copy.withUTF8(body)
    }
}
