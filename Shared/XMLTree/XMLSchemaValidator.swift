internal import CLibXML2
import Synchronization

/// An XML Schema (XSD) read once, with which documents' elements are validated. libxml2 under the hood; the schema
/// and what it imports are read from local files only.
public final class XMLSchemaValidator: Sendable {
    private nonisolated(unsafe) let schema: OpaquePointer
    /// libxml2's validation contexts share the schema: one validation at a time.
    private let lock = Mutex(())

    /// Reads the schema at `path` (and the files it imports, beside it).
    public init(path: String) throws(XMLReadError) {
        XMLLibrary.initialise()
        guard let context = xmlSchemaNewParserCtxt(path) else { throw XMLReadError(description: "cannot read the schema \(path)") }
        defer { xmlSchemaFreeParserCtxt(context) }
        guard let parsed = xmlSchemaParse(context) else { throw XMLReadError(description: "the schema \(path) does not parse") }
        schema = parsed
    }

    deinit { xmlSchemaFree(schema) }

    /// Validates the first element called `element` (a local name) in `bytes`; returns the schema's complaints, empty
    /// when it is valid. A document that does not parse, or lacks the element, is one complaint.
    public func validate(_ bytes: [UInt8], element: String) -> [String] {
        let document: XMLDocumentHandle
        do { document = try XMLDocumentHandle(bytes) } catch { return [error.description] }
        guard let root = xmlDocGetRootElement(document.document), let node = Self.find(element, from: root) else {
            return ["no \(element) element"]
        }
        return lock.withLock { _ in
            guard let context = xmlSchemaNewValidCtxt(schema) else { return ["cannot validate"] }
            defer { xmlSchemaFreeValidCtxt(context) }
            let complaints = Complaints()
            let box = Unmanaged.passRetained(complaints)
            defer { box.release() }
            xmlSchemaSetValidStructuredErrors(
                context,
                { userData, error in
                    guard let userData, let error, let message = error.pointee.message else { return }
                    Unmanaged<Complaints>.fromOpaque(userData).takeUnretainedValue().list.append(
                        "line \(error.pointee.line): \(String(cString: message).trimmingWhitespace)")
                }, box.toOpaque())
            let result = xmlSchemaValidateOneElement(context, node)
            if result != 0 && complaints.list.isEmpty { complaints.list.append("invalid (libxml2 code \(result))") }
            return complaints.list
        }
    }

    private static func find(_ name: String, from node: xmlNodePtr) -> xmlNodePtr? {
        if node.pointee.type == XML_ELEMENT_NODE, String(cString: node.pointee.name) == name { return node }
        var child = node.pointee.children
        while let current = child {
            if let found = find(name, from: current) { return found }
            child = current.pointee.next
        }
        return nil
    }
}

private final class Complaints {
    var list: [String] = []
}
