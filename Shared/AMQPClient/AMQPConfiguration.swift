import Foundation

/// Where and how to connect to the broker, parsed from an `amqp://` or `amqps://` URL.
///
/// The URL follows RabbitMQ's URI specification: `amqp://user:password@host:port/vhost?heartbeat=30`.
/// An empty path is the default vhost `/`; a vhost with a slash is written `%2F`. For `amqps`, the query
/// parameters `cacertfile`, `certfile` and `keyfile` name PEM files; the peer's certificate and host name are
/// always verified. A cluster is given by listing its nodes in place of the host,
/// `amqp://user:password@node1:5672,node2:5672,node3:5672/vhost`: connections go to the first that answers and fail
/// over to the next when theirs goes away.
package struct AMQPConfiguration: Sendable, Equatable {
    package var host: String
    package var port: Int
    /// Every node to try, in order: the first is `host` and `port`.
    package var endpoints: [Endpoint]

    package struct Endpoint: Sendable, Equatable {
        package var host: String
        package var port: Int
    }
    package var virtualHost: String
    package var user: String
    package var password: String
    /// Seconds between heartbeats; 0 disables them.
    package var heartbeatSeconds: Int
    package var tls: TLS?
    /// A name the broker shows for the connection.
    package var connectionName: String
    /// How long a request that waits for the broker's answer (login, channel, a declaration, consume, close) waits
    /// before the connection is given up and opened again. A quorum queue's declaration on a loaded broker takes
    /// seconds; one that takes longer is asked again.
    package var answerTimeoutSeconds = 15

    package struct TLS: Sendable, Equatable {
        package var caCertificateFile: String?
        package var certificateFile: String?
        package var keyFile: String?
    }

    package init(url: String, connectionName: String = "trastienda") throws(AMQPError) {
        // Several nodes: parse the URL with the first, then add the others.
        var url = url
        var others: [String] = []
        if let schemeEnd = url.range(of: "://") {
            let afterScheme = url[schemeEnd.upperBound...]
            let authorityEnd = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? afterScheme.endIndex
            let authority = afterScheme[..<authorityEnd]
            let hostsStart = authority.lastIndex(of: "@").map { authority.index(after: $0) } ?? authority.startIndex
            let hosts = authority[hostsStart...].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if hosts.count > 1 {
                others = Array(hosts.dropFirst())
                url = String(url[..<hostsStart]) + hosts[0] + String(url[authorityEnd...])
            }
        }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
            throw AMQPError(.invalidURL, "'\(Self.redacted(url))' is not a URL; expected amqp://user:password@host:port/vhost")
        }
        guard scheme == "amqp" || scheme == "amqps" else {
            throw AMQPError(.invalidURL, "scheme '\(scheme)' is not amqp or amqps in '\(Self.redacted(url))'")
        }
        let host = components.host ?? ""
        self.host = host.isEmpty ? "localhost" : host
        self.port = components.port ?? (scheme == "amqps" ? 5671 : 5672)
        guard (1...65535).contains(port) else {
            throw AMQPError(.invalidURL, "port \(port) is out of range in '\(Self.redacted(url))'")
        }
        var endpoints = [Endpoint(host: self.host, port: self.port)]
        for other in others {
            let parts = other.split(separator: ":", omittingEmptySubsequences: false)
            guard !other.isEmpty, parts.count <= 2, !parts[0].isEmpty else {
                throw AMQPError(.invalidURL, "'\(other)' is not a host or host:port in the list of nodes")
            }
            let otherPort = parts.count == 2 ? Int(parts[1]) : self.port
            guard let otherPort, (1...65535).contains(otherPort) else {
                throw AMQPError(.invalidURL, "'\(other)' has no valid port in the list of nodes")
            }
            endpoints.append(Endpoint(host: String(parts[0]), port: otherPort))
        }
        self.endpoints = endpoints
        self.user = components.user?.removingPercentEncoding ?? "guest"
        self.password = components.password?.removingPercentEncoding ?? "guest"
        let path = components.percentEncodedPath
        if path.isEmpty || path == "/" {
            self.virtualHost = "/"
        } else {
            let encoded = String(path.dropFirst())
            guard !encoded.contains("/"), let decoded = encoded.removingPercentEncoding else {
                throw AMQPError(.invalidURL, "vhost '\(encoded)' must be one path segment (write '/' as %2F)")
            }
            self.virtualHost = decoded
        }
        var heartbeat = 30
        var tls = scheme == "amqps" ? TLS() : nil
        for item in components.queryItems ?? [] {
            switch item.name {
            case "heartbeat":
                guard let value = item.value.flatMap(Int.init), (0...3600).contains(value) else {
                    throw AMQPError(.invalidURL, "heartbeat must be whole seconds 0–3600, got '\(item.value ?? "")'")
                }
                heartbeat = value
            case "cacertfile": tls?.caCertificateFile = item.value
            case "certfile": tls?.certificateFile = item.value
            case "keyfile": tls?.keyFile = item.value
            case "connection_name": break
            default:
                throw AMQPError(.invalidURL, "unknown URL parameter '\(item.name)' (known: heartbeat, cacertfile, certfile, keyfile)")
            }
        }
        self.heartbeatSeconds = heartbeat
        self.tls = tls
        self.connectionName = connectionName
    }

    /// The URL with its password hidden, for logs and error messages.
    package static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? url
    }

    /// A copy whose connection the broker shows under `name`.
    package func named(_ name: String) -> AMQPConfiguration {
        var copy = self
        copy.connectionName = name
        return copy
    }

    /// A copy that connects to `endpoint` (one node of the list).
    package func at(_ endpoint: Endpoint) -> AMQPConfiguration {
        var copy = self
        copy.host = endpoint.host
        copy.port = endpoint.port
        return copy
    }

    /// A copy that connects to another virtual host (tests give each case its own).
    package func with(virtualHost: String) -> AMQPConfiguration {
        var copy = self
        copy.virtualHost = virtualHost
        return copy
    }
}
