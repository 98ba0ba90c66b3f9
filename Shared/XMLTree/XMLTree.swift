internal import CXMLShim

/// An XML element read into plain values: its local name, namespace, attributes, text and child elements.
/// What billing reads of the tax agency's answers and what the agency's simulator reads of the envelopes.
package struct XMLTree: Sendable, Equatable {
    package var name: String
    package var namespace: String?
    package var attributes: [String: String]
    /// The element's own text (its text and CDATA children, joined), untrimmed.
    package var text: String
    package var children: [XMLTree]

    package init(name: String, namespace: String? = nil, attributes: [String: String] = [:], text: String = "", children: [XMLTree] = []) {
        self.name = name
        self.namespace = namespace
        self.attributes = attributes
        self.text = text
        self.children = children
    }

    /// The first child called `name`.
    package func child(_ name: String) -> XMLTree? { children.first { $0.name == name } }

    /// Every child called `name`, in order.
    package func children(_ name: String) -> [XMLTree] { children.filter { $0.name == name } }

    /// The element down the path of child names, or nil where one is missing.
    package func at(_ path: String...) -> XMLTree? {
        var node = self
        for name in path {
            guard let next = node.child(name) else { return nil }
            node = next
        }
        return node
    }

    /// The text down the path, or nil where an element is missing.
    package func text(_ path: String...) -> String? {
        var node = self
        for name in path {
            guard let next = node.child(name) else { return nil }
            node = next
        }
        return node.text
    }

    /// The first element of this subtree called `name`, depth first.
    package func first(_ name: String) -> XMLTree? {
        if self.name == name { return self }
        for child in children {
            if let found = child.first(name) { return found }
        }
        return nil
    }
}

/// Why a text could not be read as XML.
package struct XMLReadError: Error, CustomStringConvertible, Sendable {
    package var description: String
}

extension XMLTree {
    /// Reads `bytes` as an XML document and returns its root element. Never fetches anything (no network, no DTD,
    /// entities are not expanded).
    package static func parse(_ bytes: [UInt8]) throws(XMLReadError) -> XMLTree {
        try XMLDocumentHandle(bytes).withRoot { root in XMLTree(node: root) }
    }

    init(node: OpaquePointer) {
        var attributes: [String: String] = [:]
        var attribute = trastienda_xml_first_attribute(node)
        while let current = attribute {
            if let name = trastienda_xml_attribute_name(current) {
                let value = trastienda_xml_attribute_value(current)
                defer { trastienda_xml_free_text(value) }
                attributes[String(cString: name)] = value.map { String(cString: $0) } ?? ""
            }
            attribute = trastienda_xml_next_attribute(current)
        }
        var text = ""
        var children: [XMLTree] = []
        var child = trastienda_xml_first_child(node)
        while let current = child {
            switch trastienda_xml_node_kind(current) {
            case TRASTIENDA_XML_ELEMENT: children.append(XMLTree(node: current))
            case TRASTIENDA_XML_TEXT: if let content = trastienda_xml_node_text(current) { text += String(cString: content) }
            default: break
            }
            child = trastienda_xml_next_sibling(current)
        }
        self.init(
            name: String(cString: trastienda_xml_node_name(node)), namespace: trastienda_xml_node_namespace(node).map { String(cString: $0) },
            attributes: attributes, text: text, children: children)
    }
}

/// A parsed libxml2 document, freed when it goes.
final class XMLDocumentHandle {
    let document: OpaquePointer

    init(_ bytes: [UInt8]) throws(XMLReadError) {
        var error = [CChar](repeating: 0, count: 256)
        let parsed = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.flatMap { base in
                base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                    trastienda_xml_read($0, Int32(buffer.count), &error, Int32(error.count))
                }
            }
        }
        guard let parsed else {
            let message = error.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw XMLReadError(description: "not well-formed XML: \((message.isEmpty ? "no document" : message).trimmingWhitespace)")
        }
        document = parsed
    }

    deinit { trastienda_xml_free_document(document) }

    var root: OpaquePointer? { trastienda_xml_root(document) }

    func withRoot<T>(_ body: (OpaquePointer) throws(XMLReadError) -> T) throws(XMLReadError) -> T {
        guard let root else { throw XMLReadError(description: "an XML document without an element") }
        return try body(root)
    }
}

extension String {
    /// The text without the spaces, tabs and line ends around it.
    package var trimmingWhitespace: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
