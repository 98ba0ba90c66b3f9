import ByteText
import CRabbitMQ
#if canImport(Glibc)
import Glibc
#endif

/// Owns the C memory that one rabbitmq-c call borrows: strings and header tables built from Swift values.
///
/// Used only on a connection's own thread; `reset()` frees everything once the call has returned.
final class CArena {
    private var allocations: [UnsafeMutableRawPointer] = []

    deinit { reset() }

    func reset() {
        for pointer in allocations { free(pointer) }
        allocations.removeAll(keepingCapacity: true)
    }

    private func allocate(_ size: Int) -> UnsafeMutableRawPointer {
        let pointer = malloc(max(size, 1))!
        allocations.append(pointer)
        return pointer
    }

    func bytes(_ string: String) -> amqp_bytes_t {
        return string.withUTF8Bytes { utf8 in
            let pointer = allocate(utf8.count)
            if let base = utf8.baseAddress { pointer.copyMemory(from: base, byteCount: utf8.count) }
            return amqp_bytes_t(len: utf8.count, bytes: pointer)
        }
    }

    /// A NUL-terminated copy, for the calls that take `char const *`.
    func cString(_ string: String) -> UnsafePointer<CChar> {
        return string.withUTF8Bytes { utf8 in
            let pointer = allocate(utf8.count + 1)
            if let base = utf8.baseAddress { pointer.copyMemory(from: base, byteCount: utf8.count) }
            pointer.storeBytes(of: 0, toByteOffset: utf8.count, as: UInt8.self)
            return UnsafePointer(pointer.assumingMemoryBound(to: CChar.self))
        }
    }

    func table(_ values: [String: HeaderValue]) -> amqp_table_t {
        guard !values.isEmpty else { return amqp_table_t(num_entries: 0, entries: nil) }
        let entries = allocate(MemoryLayout<amqp_table_entry_t>.stride * values.count)
            .bindMemory(to: amqp_table_entry_t.self, capacity: values.count)
        for (index, key) in values.keys.sorted().enumerated() {
            (entries + index).initialize(to: amqp_table_entry_t(key: bytes(key), value: fieldValue(values[key]!)))
        }
        return amqp_table_t(num_entries: Int32(values.count), entries: entries)
    }

    private func fieldValue(_ value: HeaderValue) -> amqp_field_value_t {
        var field = amqp_field_value_t()
        switch value {
        case .string(let string):
            field.kind = UInt8(AMQP_FIELD_KIND_UTF8.rawValue)
            field.value.bytes = bytes(string)
        case .int(let int):
            field.kind = UInt8(AMQP_FIELD_KIND_I64.rawValue)
            field.value.i64 = int
        case .bool(let bool):
            field.kind = UInt8(AMQP_FIELD_KIND_BOOLEAN.rawValue)
            field.value.boolean = bool ? 1 : 0
        case .table(let table):
            field.kind = UInt8(AMQP_FIELD_KIND_TABLE.rawValue)
            field.value.table = self.table(table)
        case .array(let array):
            field.kind = UInt8(AMQP_FIELD_KIND_ARRAY.rawValue)
            let entries = allocate(MemoryLayout<amqp_field_value_t>.stride * max(array.count, 1))
                .bindMemory(to: amqp_field_value_t.self, capacity: max(array.count, 1))
            for (index, element) in array.enumerated() { (entries + index).initialize(to: fieldValue(element)) }
            field.value.array = amqp_array_t(num_entries: Int32(array.count), entries: entries)
        case .void:
            field.kind = UInt8(AMQP_FIELD_KIND_VOID.rawValue)
        }
        return field
    }
}

/// Reading rabbitmq-c's values into Swift ones (copies; the C memory is recycled after each frame).
enum CDecode {
    static func string(_ bytes: amqp_bytes_t) -> String {
        guard bytes.len > 0, let pointer = bytes.bytes else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: bytes.len), as: UTF8.self)
    }

    static func table(_ table: amqp_table_t) -> [String: HeaderValue] {
        var result: [String: HeaderValue] = [:]
        guard table.num_entries > 0, let entries = table.entries else { return result }
        for index in 0..<Int(table.num_entries) {
            let entry = entries[index]
            result[string(entry.key)] = value(entry.value)
        }
        return result
    }

    static func value(_ field: amqp_field_value_t) -> HeaderValue {
        switch UInt32(field.kind) {
        case AMQP_FIELD_KIND_UTF8.rawValue, AMQP_FIELD_KIND_BYTES.rawValue: return .string(string(field.value.bytes))
        case AMQP_FIELD_KIND_BOOLEAN.rawValue: return .bool(field.value.boolean != 0)
        case AMQP_FIELD_KIND_I8.rawValue: return .int(Int64(field.value.i8))
        case AMQP_FIELD_KIND_U8.rawValue: return .int(Int64(field.value.u8))
        case AMQP_FIELD_KIND_I16.rawValue: return .int(Int64(field.value.i16))
        case AMQP_FIELD_KIND_U16.rawValue: return .int(Int64(field.value.u16))
        case AMQP_FIELD_KIND_I32.rawValue: return .int(Int64(field.value.i32))
        case AMQP_FIELD_KIND_U32.rawValue: return .int(Int64(field.value.u32))
        case AMQP_FIELD_KIND_I64.rawValue: return .int(field.value.i64)
        case AMQP_FIELD_KIND_U64.rawValue, AMQP_FIELD_KIND_TIMESTAMP.rawValue: return .int(Int64(bitPattern: field.value.u64))
        case AMQP_FIELD_KIND_TABLE.rawValue: return .table(table(field.value.table))
        case AMQP_FIELD_KIND_ARRAY.rawValue:
            let array = field.value.array
            guard array.num_entries > 0, let entries = array.entries else { return .array([]) }
            return .array((0..<Int(array.num_entries)).map { value(entries[$0]) })
        default: return .void
        }
    }

    static func properties(
        _ properties: UnsafePointer<amqp_basic_properties_t>, strings: inout RecentStrings
    ) -> MessageProperties {
        let p = properties.pointee
        func has(_ flag: amqp_flags_t) -> Bool { p._flags & flag != 0 }
        return MessageProperties(
            contentType: has(TRASTIENDA_FLAG_CONTENT_TYPE) ? strings.string(p.content_type) : nil,
            type: has(TRASTIENDA_FLAG_TYPE) ? strings.string(p.type) : nil,
            messageId: has(TRASTIENDA_FLAG_MESSAGE_ID) ? string(p.message_id) : nil,
            correlationId: has(TRASTIENDA_FLAG_CORRELATION_ID) ? string(p.correlation_id) : nil,
            timestamp: has(TRASTIENDA_FLAG_TIMESTAMP) ? Int64(bitPattern: p.timestamp) : nil,
            persistent: has(TRASTIENDA_FLAG_DELIVERY_MODE) && p.delivery_mode == 2,
            userId: has(TRASTIENDA_FLAG_USER_ID) ? string(p.user_id) : nil,
            appId: has(TRASTIENDA_FLAG_APP_ID) ? string(p.app_id) : nil,
            expiration: has(TRASTIENDA_FLAG_EXPIRATION) ? string(p.expiration) : nil,
            headers: has(TRASTIENDA_FLAG_HEADERS) ? table(p.headers) : [:])
    }
}

/// Strings decoded before, reused when the same bytes come again: routing keys (one per terminal), exchanges and
/// types repeat from message to message, and a hit saves an allocation. Direct-mapped by a hash of the bytes, so that
/// a thousand terminals' routing keys each find their slot at once; a collision only replaces the older entry.
///
/// The bytes lie in one flat table, a fixed stretch per slot, so that a lookup compares them in place: entries of
/// arrays cost a retain and a release of each on every hit. 4,096 slots, ten for each of the 400 terminals a
/// closing-time flush brings, keep their keys from colliding but rarely; only the slots in use are ever touched.
struct RecentStrings {
    private static let slotBits = 12
    /// Longer strings are decoded each time (a routing key of two 48-character identifiers would be 102).
    private static let slotBytes = 64
    private var keys = [UInt8](repeating: 0, count: (1 << slotBits) * slotBytes)
    /// 0 for an empty slot.
    private var lengths = [UInt8](repeating: 0, count: 1 << slotBits)
    private var strings = [String](repeating: "", count: 1 << slotBits)

    mutating func string(_ bytes: amqp_bytes_t) -> String {
        // Up to 15 bytes a String is stored inline: nothing to save.
        guard bytes.len > 15, bytes.len <= Self.slotBytes, let pointer = bytes.bytes else { return CDecode.string(bytes) }
        let raw = UnsafeRawBufferPointer(start: pointer, count: bytes.len)
        // The slot from the first and last eight bytes and the length (at least 16 bytes here): routing keys differ
        // in their ends (`sale.S043.S043-T05`), and this costs the same for any length.
        let first = raw.loadUnaligned(as: UInt64.self)
        let last = raw.loadUnaligned(fromByteOffset: raw.count - 8, as: UInt64.self)
        let mixed = (first ^ (last << 29 | last >> 35) ^ UInt64(raw.count)) &* 0x9E37_79B9_7F4A_7C15
        let slot = Int(truncatingIfNeeded: mixed >> (64 - UInt64(Self.slotBits)))
        let offset = slot * Self.slotBytes
        let hit = Int(lengths[slot]) == raw.count
            && keys.withUnsafeBytes { memcmp($0.baseAddress! + offset, pointer, raw.count) == 0 }
        if hit { return strings[slot] }
        let string = CDecode.string(bytes)
        keys.withUnsafeMutableBytes { $0.baseAddress!.advanced(by: offset).copyMemory(from: pointer, byteCount: raw.count) }
        lengths[slot] = UInt8(raw.count)
        strings[slot] = string
        return string
    }
}

extension CArena {
    /// The C properties for `properties`, borrowing this arena's memory.
    func properties(_ properties: MessageProperties) -> amqp_basic_properties_t {
        var c = amqp_basic_properties_t()
        var flags: amqp_flags_t = TRASTIENDA_FLAG_DELIVERY_MODE
        c.delivery_mode = properties.persistent ? 2 : 1
        if let value = properties.contentType { flags |= TRASTIENDA_FLAG_CONTENT_TYPE; c.content_type = bytes(value) }
        if let value = properties.type { flags |= TRASTIENDA_FLAG_TYPE; c.type = bytes(value) }
        if let value = properties.messageId { flags |= TRASTIENDA_FLAG_MESSAGE_ID; c.message_id = bytes(value) }
        if let value = properties.correlationId { flags |= TRASTIENDA_FLAG_CORRELATION_ID; c.correlation_id = bytes(value) }
        if let value = properties.timestamp { flags |= TRASTIENDA_FLAG_TIMESTAMP; c.timestamp = UInt64(bitPattern: value) }
        if let value = properties.userId { flags |= TRASTIENDA_FLAG_USER_ID; c.user_id = bytes(value) }
        if let value = properties.appId { flags |= TRASTIENDA_FLAG_APP_ID; c.app_id = bytes(value) }
        if let value = properties.expiration { flags |= TRASTIENDA_FLAG_EXPIRATION; c.expiration = bytes(value) }
        if !properties.headers.isEmpty { flags |= TRASTIENDA_FLAG_HEADERS; c.headers = table(properties.headers) }
        c._flags = flags
        return c
    }
}
