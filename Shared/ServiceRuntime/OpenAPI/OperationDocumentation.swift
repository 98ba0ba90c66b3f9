/// What an operation takes and answers, for its OpenAPI entry.
public struct OperationDocumentation: Sendable {
    /// A query parameter.
    public struct Query: Sendable {
        public var name: String
        public var schema: Schema
        public var required: Bool
        public var description: String

        /// A text parameter.
        public init(_ name: String, required: Bool = false, _ description: String) {
            self.init(name, .string, required: required, description)
        }

        public init(_ name: String, _ schema: Schema, required: Bool = false, _ description: String) {
            self.name = name
            self.schema = schema
            self.required = required
            self.description = description
        }

        /// `limit` and `after`, as every list takes them (see ``PageRequest``).
        public static let paging: [Query] = [
            Query("limit", .integer(minimum: 1, maximum: PageRequest.maximumLimit), "at most this many items (default \(PageRequest.defaultLimit))"),
            Query("after", "the `next` cursor of the previous page"),
        ]
    }

    /// What a successful call answers.
    public enum Answer: Sendable {
        /// JSON with this status.
        case json(Int, Schema)
        /// JSON, 201 when it made something and 200 when it was there already.
        case createdOrFound(Schema)
        /// Another media type (`application/xml`, `image/png`…), as a string.
        case media(Int, String)
    }

    public var summary: String
    public var query: [Query]
    /// Path parameters with a format of their own; the others are strings.
    public var pathSchemas: [String: Schema]
    /// The JSON request body, if the operation takes one.
    public var body: Schema?
    /// The body's media type: JSON unless said.
    public var bodyMedia: String
    public var answer: Answer

    public init(
        _ summary: String, query: [Query] = [], path: [String: Schema] = [:], body: Schema? = nil, bodyMedia: String = "application/json",
        answer: Answer
    ) {
        self.summary = summary
        self.bodyMedia = bodyMedia
        self.query = query
        self.pathSchemas = path
        self.body = body
        self.answer = answer
    }
}
