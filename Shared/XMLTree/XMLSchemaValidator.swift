internal import CXMLShim
import Synchronization

/// An XML Schema (XSD) read once, with which documents' elements are validated. libxml2 under the hood; the schema
/// and what it imports are read from local files only.
package final class XMLSchemaValidator: Sendable {
    private nonisolated(unsafe) let schema: OpaquePointer
    /// libxml2's validation contexts share the schema: one validation at a time.
    private let lock = Mutex(())

    /// Reads the schema at `path` (and the files it imports, beside it).
    package init(path: String) throws(XMLReadError) {
        guard let parsed = trastienda_xml_schema_read(path) else { throw XMLReadError(description: "cannot read the schema \(path)") }
        schema = parsed
    }

    deinit { trastienda_xml_schema_free(schema) }

    /// Validates the first element called `element` (a local name) in `bytes`; returns the schema's complaints, empty
    /// when it is valid. A document that does not parse, or lacks the element, is one complaint.
    package func validate(_ bytes: [UInt8], element: String) -> [String] {
        let document: XMLDocumentHandle
        do { document = try XMLDocumentHandle(bytes) } catch { return [error.description] }
        guard let root = document.root, let node = Self.find(element, from: root) else { return ["no \(element) element"] }
        return lock.withLock { _ in
            let complaints = Complaints()
            let box = Unmanaged.passRetained(complaints)
            defer { box.release() }
            let result = trastienda_xml_schema_validate(
                schema, node,
                { context, line, message in
                    guard let context, let message else { return }
                    Unmanaged<Complaints>.fromOpaque(context).takeUnretainedValue().list.append(
                        "line \(line): \(String(cString: message).trimmingWhitespace)")
                }, box.toOpaque())
            if result != 0 && complaints.list.isEmpty { complaints.list.append("invalid (libxml2 code \(result))") }
            return complaints.list
        }
    }

    private static func find(_ name: String, from node: OpaquePointer) -> OpaquePointer? {
        if trastienda_xml_node_kind(node) == TRASTIENDA_XML_ELEMENT, String(cString: trastienda_xml_node_name(node)) == name { return node }
        var child = trastienda_xml_first_child(node)
        while let current = child {
            if let found = find(name, from: current) { return found }
            child = trastienda_xml_next_sibling(current)
        }
        return nil
    }
}

private final class Complaints {
    var list: [String] = []
}
