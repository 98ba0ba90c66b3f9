/// What an operation takes and answers, for its OpenAPI entry.
package struct OperationDocumentation: Sendable {
    /// A query parameter.
    package struct Query: Sendable {
        package var name: String
        package var schema: Schema
        package var required: Bool
        package var description: String

        /// A text parameter.
        package init(_ name: String, required: Bool = false, _ description: String) {
            self.init(name, .string, required: required, description)
        }

        package init(_ name: String, _ schema: Schema, required: Bool = false, _ description: String) {
            self.name = name
            self.schema = schema
            self.required = required
            self.description = description
        }

        /// `limit` and `after`, as every list takes them (see ``PageRequest``).
        package static let paging: [Query] = [
            Query("limit", .integer(minimum: 1, maximum: PageRequest.maximumLimit), "at most this many items (default \(PageRequest.defaultLimit))"),
            Query("after", "the `next` cursor of the previous page"),
        ]
    }

    /// What a successful call answers.
    package enum Answer: Sendable {
        /// JSON with this status.
        case json(Int, Schema)
        /// JSON, 201 when it made something and 200 when it was there already.
        case createdOrFound(Schema)
        /// Another media type (`application/xml`, `image/png`…), as a string.
        case media(Int, String)
    }

    package var summary: String
    package var query: [Query]
    /// Path parameters with a format of their own; the others are strings.
    package var pathSchemas: [String: Schema]
    /// The JSON request body, if the operation takes one.
    package var body: Schema?
    /// The body's media type: JSON unless said.
    package var bodyMedia: String
    package var answer: Answer

    package init(
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
