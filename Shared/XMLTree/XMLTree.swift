internal import CLibXML2

/// An XML element read into plain values: its local name, namespace, attributes, text and child elements.
/// What billing reads of the tax agency's answers and what the agency's simulator reads of the envelopes.
public struct XMLTree: Sendable, Equatable {
    public var name: String
    public var namespace: String?
    public var attributes: [String: String]
    /// The element's own text (its text and CDATA children, joined), untrimmed.
    public var text: String
    public var children: [XMLTree]

    public init(name: String, namespace: String? = nil, attributes: [String: String] = [:], text: String = "", children: [XMLTree] = []) {
        self.name = name
        self.namespace = namespace
        self.attributes = attributes
        self.text = text
        self.children = children
    }

    /// The first child called `name`.
    public func child(_ name: String) -> XMLTree? { children.first { $0.name == name } }

    /// Every child called `name`, in order.
    public func children(_ name: String) -> [XMLTree] { children.filter { $0.name == name } }

    /// The element down the path of child names, or nil where one is missing.
    public func at(_ path: String...) -> XMLTree? {
        var node = self
        for name in path {
            guard let next = node.child(name) else { return nil }
            node = next
        }
        return node
    }

    /// The text down the path, or nil where an element is missing.
    public func text(_ path: String...) -> String? {
        var node = self
        for name in path {
            guard let next = node.child(name) else { return nil }
            node = next
        }
        return node.text
    }

    /// The first element of this subtree called `name`, depth first.
    public func first(_ name: String) -> XMLTree? {
        if self.name == name { return self }
        for child in children {
            if let found = child.first(name) { return found }
        }
        return nil
    }
}

/// Why a text could not be read as XML.
public struct XMLReadError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

extension XMLTree {
    /// Reads `bytes` as an XML document and returns its root element. Never fetches anything (no network, no DTD,
    /// entities are not expanded).
    public static func parse(_ bytes: [UInt8]) throws(XMLReadError) -> XMLTree {
        try XMLDocumentHandle(bytes).withRoot { root in XMLTree(node: root) }
    }

    init(node: xmlNodePtr) {
        var attributes: [String: String] = [:]
        var attribute = node.pointee.properties
        while let current = attribute {
            if let name = current.pointee.name {
                var value = ""
                var part = current.pointee.children
                while let text = part {
                    if let content = text.pointee.content { value += String(cString: content) }
                    part = text.pointee.next
                }
                attributes[String(cString: name)] = value
            }
            attribute = current.pointee.next
        }
        var text = ""
        var children: [XMLTree] = []
        var child = node.pointee.children
        while let current = child {
            switch current.pointee.type {
            case XML_ELEMENT_NODE: children.append(XMLTree(node: current))
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = current.pointee.content { text += String(cString: content) }
            default: break
            }
            child = current.pointee.next
        }
        self.init(
            name: String(cString: node.pointee.name), namespace: node.pointee.ns?.pointee.href.map { String(cString: $0) },
            attributes: attributes, text: text, children: children)
    }
}

/// A parsed libxml2 document, freed when it goes.
final class XMLDocumentHandle {
    let document: xmlDocPtr

    init(_ bytes: [UInt8]) throws(XMLReadError) {
        XMLLibrary.initialise()
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        let parsed = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.flatMap { base in
                base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { xmlReadMemory($0, Int32(buffer.count), "envelope.xml", "UTF-8", options) }
            }
        }
        guard let parsed else {
            let message = xmlGetLastError().flatMap { $0.pointee.message.map { String(cString: $0) } } ?? "not well-formed"
            throw XMLReadError(description: "not well-formed XML: \(message.trimmingWhitespace)")
        }
        document = parsed
    }

    deinit { xmlFreeDoc(document) }

    func withRoot<T>(_ body: (xmlNodePtr) throws(XMLReadError) -> T) throws(XMLReadError) -> T {
        guard let root = xmlDocGetRootElement(document) else { throw XMLReadError(description: "an XML document without an element") }
        return try body(root)
    }
}

enum XMLLibrary {
    private static let initialised: Bool = {
        xmlInitParser()
        return true
    }()

    static func initialise() { _ = initialised }
}

extension String {
    /// The text without the spaces, tabs and line ends around it.
    public var trimmingWhitespace: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
