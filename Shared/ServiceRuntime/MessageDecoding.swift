import AMQPClient
import Foundation

/// A delivery's JSON body read as the contract it should hold, the one way consumers do it: the document, or the
/// rejection that dead-letters it with a stable code and a reason naming what was expected and what is wrong.
extension Delivery {
    /// The body as `type`; nil after adding to `rejections` the delivery's rejection with `code` and a reason that
    /// says it is not `expected` and why (a field missing, of the wrong type, or no JSON at all).
    package func decodeBody<T: Decodable>(
        _ type: T.Type, refusing code: String, expected: String, into rejections: inout [Rejection]
    ) -> T? {
        do {
            return try JSONDecoder().decode(type, from: Data(body))
        } catch {
            rejections.append(Rejection(deliveryTag: deliveryTag, code: code, reason: "not \(expected): \(MessageDecoding.describe(error))"))
            return nil
        }
    }
}

package enum MessageDecoding {
    /// What is wrong with a body that did not decode, in words and with the field's path.
    package static func describe(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, let context):
            "\((context.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: ".")) is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            context.codingPath.isEmpty ? "the body is not JSON of that shape" : "\(context.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type"
        default: "the body is not JSON"
        }
    }
}
