import CRabbitMQ
import CRabbitMQShim
#if canImport(Glibc)
import Glibc
#endif

/// One rabbitmq-c connection with one channel (number 1) in confirm mode: synchronous, and only ever touched by
/// the thread that owns it.
///
/// Every request that waits for the broker's answer (login, channel, declarations, consume) waits at most the
/// configuration's ``AMQPConfiguration/answerTimeoutSeconds``, and none starts once `isAbandoned` says the connection
/// is being closed: a broker too loaded to answer holds the thread, and whoever waits for it to close, for one
/// request at most.
final class RawConnection {
    let state: amqp_connection_state_t
    private let channel: amqp_channel_t = 1
    private let arena = CArena()
    private let isAbandoned: () -> Bool
    private(set) var isOpen = true

    /// Opens the socket, logs in, opens the channel and turns on publisher confirms; gives up (``AMQPError/Code/closed``)
    /// between requests once `isAbandoned` returns true.
    init(configuration: AMQPConfiguration, isAbandoned: @escaping () -> Bool = { false }) throws(AMQPError) {
        guard let state = amqp_new_connection() else {
            throw AMQPError(.connectionFailed, "rabbitmq-c could not allocate a connection")
        }
        self.state = state
        self.isAbandoned = isAbandoned
        do {
            try open(configuration)
        } catch {
            amqp_destroy_connection(state)
            isOpen = false
            throw error
        }
    }

    deinit {
        if isOpen { amqp_destroy_connection(state) }
    }

    private func open(_ configuration: AMQPConfiguration) throws(AMQPError) {
        let socket: OpaquePointer?
        if let tls = configuration.tls {
            socket = amqp_ssl_socket_new(state)
            guard let socket else { throw AMQPError(.connectionFailed, "could not create a TLS socket") }
            amqp_ssl_socket_set_verify_peer(socket, 1)
            amqp_ssl_socket_set_verify_hostname(socket, 1)
            if let file = tls.caCertificateFile {
                guard amqp_ssl_socket_set_cacert(socket, file) == AMQP_STATUS_OK.rawValue else {
                    throw AMQPError(.connectionFailed, "could not read the CA certificate file '\(file)'")
                }
            }
            if let certificate = tls.certificateFile, let key = tls.keyFile {
                guard amqp_ssl_socket_set_key(socket, certificate, key) == AMQP_STATUS_OK.rawValue else {
                    throw AMQPError(.connectionFailed, "could not read the client certificate '\(certificate)' or key '\(key)'")
                }
            }
        } else {
            socket = amqp_tcp_socket_new(state)
        }
        guard let socket else { throw AMQPError(.connectionFailed, "could not create a socket") }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        let status = amqp_socket_open_noblock(socket, configuration.host, Int32(configuration.port), &timeout)
        guard status == AMQP_STATUS_OK.rawValue else {
            throw AMQPError(
                .connectionFailed,
                "cannot reach the broker at \(configuration.host):\(configuration.port): \(Self.describe(status))")
        }
        var answerTimeout = timeval(tv_sec: configuration.answerTimeoutSeconds, tv_usec: 0)
        amqp_set_handshake_timeout(state, &answerTimeout)
        amqp_set_rpc_timeout(state, &answerTimeout)
        var properties = arena.table(["connection_name": .string(configuration.connectionName)])
        let login = trastienda_amqp_login_plain_with_properties(
            state, configuration.virtualHost, 0, 131_072, Int32(configuration.heartbeatSeconds), &properties,
            configuration.user, configuration.password)
        arena.reset()
        try check(login, "login to vhost '\(configuration.virtualHost)' as '\(configuration.user)'", code: .connectionFailed)
        try stopIfAbandoned()
        amqp_channel_open(state, channel)
        try check(amqp_get_rpc_reply(state), "opening a channel", code: .connectionFailed)
        try stopIfAbandoned()
        amqp_confirm_select(state, channel)
        try check(amqp_get_rpc_reply(state), "turning on publisher confirms", code: .connectionFailed)
    }

    var socketDescriptor: Int32 { trastienda_amqp_socket_fd(state) }

    /// Frames already read from the socket but not yet handed out.
    var hasBufferedInput: Bool { amqp_frames_enqueued(state) != 0 || amqp_data_in_buffer(state) != 0 }

    // MARK: Topology

    func declare(_ topology: Topology) throws(AMQPError) {
        for exchange in topology.exchanges {
            defer { arena.reset() }
            try stopIfAbandoned()
            amqp_exchange_declare(
                state, channel, arena.bytes(exchange.name), arena.bytes(exchange.kind.rawValue), 0, 1, 0, 0,
                amqp_table_t(num_entries: 0, entries: nil))
            try check(amqp_get_rpc_reply(state), "declaring exchange '\(exchange.name)'", code: .declarationFailed)
        }
        for queue in topology.queues {
            defer { arena.reset() }
            try stopIfAbandoned()
            var arguments: [String: HeaderValue] = [:]
            if queue.kind == .quorum { arguments["x-queue-type"] = .string("quorum") }
            if let limit = queue.deliveryLimit { arguments["x-delivery-limit"] = .int(Int64(limit)) }
            if queue.singleActiveConsumer { arguments["x-single-active-consumer"] = .bool(true) }
            if let exchange = queue.deadLetterExchange {
                arguments["x-dead-letter-exchange"] = .string(exchange)
                arguments["x-dead-letter-routing-key"] = .string(queue.deadLetterRoutingKey ?? queue.name)
                if queue.kind == .quorum {  // moved with publisher confirms inside the broker, never dropped
                    arguments["x-dead-letter-strategy"] = .string("at-least-once")
                    arguments["x-overflow"] = .string("reject-publish")
                }
            }
            let durable: amqp_boolean_t = queue.kind == .quorum ? 1 : 0
            amqp_queue_declare(state, channel, arena.bytes(queue.name), 0, durable, 0, 1 - durable, arena.table(arguments))
            try check(amqp_get_rpc_reply(state), "declaring queue '\(queue.name)'", code: .declarationFailed)
        }
        for binding in topology.exchangeBindings {
            defer { arena.reset() }
            try stopIfAbandoned()
            amqp_exchange_bind(
                state, channel, arena.bytes(binding.destination), arena.bytes(binding.source), arena.bytes(binding.routingKey),
                amqp_table_t(num_entries: 0, entries: nil))
            try check(
                amqp_get_rpc_reply(state),
                "binding exchange '\(binding.destination)' to '\(binding.source)' with '\(binding.routingKey)'", code: .declarationFailed)
        }
        for binding in topology.bindings {
            defer { arena.reset() }
            try stopIfAbandoned()
            amqp_queue_bind(
                state, channel, arena.bytes(binding.queue), arena.bytes(binding.exchange), arena.bytes(binding.routingKey),
                amqp_table_t(num_entries: 0, entries: nil))
            try check(
                amqp_get_rpc_reply(state),
                "binding queue '\(binding.queue)' to '\(binding.exchange)' with '\(binding.routingKey)'", code: .declarationFailed)
        }
    }

    // MARK: Consuming

    func consume(queue: String, prefetch: Int) throws(AMQPError) -> String {
        defer { arena.reset() }
        try stopIfAbandoned()
        amqp_basic_qos(state, channel, 0, UInt16(clamping: prefetch), 0)
        try check(amqp_get_rpc_reply(state), "setting prefetch \(prefetch)", code: .brokerClosed)
        guard
            let ok = amqp_basic_consume(
                state, channel, arena.bytes(queue), amqp_bytes_t(len: 0, bytes: nil), 0, 0, 0,
                amqp_table_t(num_entries: 0, entries: nil))
        else {
            try check(amqp_get_rpc_reply(state), "consuming from '\(queue)'", code: .brokerClosed)
            throw AMQPError(.brokerClosed, "consuming from '\(queue)' failed")
        }
        return CDecode.string(ok.pointee.consumer_tag)
    }

    /// Asks the broker to stop delivering; its `cancel-ok` arrives later as a frame.
    func cancel(consumerTag: String) throws(AMQPError) {
        defer { arena.reset() }
        var method = amqp_basic_cancel_t(consumer_tag: arena.bytes(consumerTag), nowait: 0)
        try check(status: amqp_send_method(state, channel, TRASTIENDA_BASIC_CANCEL, &method), "cancelling the consumer")
    }

    func ack(upTo deliveryTag: UInt64, multiple: Bool) throws(AMQPError) {
        try check(status: amqp_basic_ack(state, channel, deliveryTag, multiple ? 1 : 0), "acknowledging")
    }

    func nack(upTo deliveryTag: UInt64, multiple: Bool, requeue: Bool) throws(AMQPError) {
        try check(status: amqp_basic_nack(state, channel, deliveryTag, multiple ? 1 : 0, requeue ? 1 : 0), "rejecting")
    }

    // MARK: Publishing

    func publish(_ message: OutgoingMessage) throws(AMQPError) {
        defer { arena.reset() }
        var properties = arena.properties(message.properties)
        let status = message.body.withUnsafeBytes { body in
            amqp_basic_publish(
                state, channel, arena.bytes(message.exchange), arena.bytes(message.routingKey), 0, 0, &properties,
                amqp_bytes_t(len: body.count, bytes: UnsafeMutableRawPointer(mutating: body.baseAddress)))
        }
        try check(status: status, "publishing to '\(message.exchange)'")
    }

    // MARK: Frames

    /// The next frame, or nil when none arrives within `timeout` milliseconds (0: only what is already readable).
    /// Heartbeats are sent and checked inside this call.
    func nextFrame(timeoutMilliseconds: Int) throws(AMQPError) -> amqp_frame_t? {
        var frame = amqp_frame_t()
        var timeout = timeval(tv_sec: timeoutMilliseconds / 1000, tv_usec: (timeoutMilliseconds % 1000) * 1000)
        let status = amqp_simple_wait_frame_noblock(state, &frame, &timeout)
        if status == AMQP_STATUS_TIMEOUT.rawValue { return nil }
        try check(status: status, "reading from the broker")
        return frame
    }

    /// Recycles the memory of frames already handled.
    func releaseBuffers() { amqp_maybe_release_buffers(state) }

    /// Answers the broker closing the channel or connection, so that it can release it.
    func acknowledgeClose(method: amqp_method_number_t) {
        if method == TRASTIENDA_CHANNEL_CLOSE {
            var ok = amqp_channel_close_ok_t(dummy: 0)
            amqp_send_method(state, channel, TRASTIENDA_CHANNEL_CLOSE_OK, &ok)
        } else if method == TRASTIENDA_CONNECTION_CLOSE {
            var ok = amqp_connection_close_ok_t(dummy: 0)
            amqp_send_method(state, 0, TRASTIENDA_CONNECTION_CLOSE_OK, &ok)
        }
    }

    /// A polite close; errors are ignored because the connection is going away anyway.
    func close() {
        guard isOpen else { return }
        amqp_channel_close(state, channel, AMQP_REPLY_SUCCESS)
        amqp_connection_close(state, AMQP_REPLY_SUCCESS)
        amqp_destroy_connection(state)
        isOpen = false
    }

    /// Drops the connection without talking to the broker (it is already gone).
    func abandon() {
        guard isOpen else { return }
        amqp_destroy_connection(state)
        isOpen = false
    }

    // MARK: Errors

    private func stopIfAbandoned() throws(AMQPError) {
        if isAbandoned() { throw AMQPError(.closed, "the connection is being closed") }
    }

    private func check(status: Int32, _ doing: String) throws(AMQPError) {
        guard status != AMQP_STATUS_OK.rawValue else { return }
        throw AMQPError(.connectionLost, "\(doing): \(Self.describe(status))")
    }

    private func check(_ reply: amqp_rpc_reply_t, _ doing: String, code: AMQPError.Code) throws(AMQPError) {
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            return
        case AMQP_RESPONSE_SERVER_EXCEPTION:
            let text = Self.serverCloseText(reply.reply)
            acknowledgeClose(method: reply.reply.id)
            throw AMQPError(
                code == .connectionFailed ? .connectionFailed : code, "\(doing): the broker refused: \(text)",
                replyCode: Self.replyCode(reply.reply))
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            throw AMQPError(code, "\(doing): \(Self.describe(reply.library_error))")
        default:
            throw AMQPError(code, "\(doing): no reply from the broker")
        }
    }

    static func serverCloseText(_ method: amqp_method_t) -> String {
        guard let close = closeReply(method) else { return "method \(method.id)" }
        return "\(close.code) \(close.text)"
    }

    static func replyCode(_ method: amqp_method_t) -> Int? { closeReply(method)?.code }

    /// The reply code and text of the broker's channel.close or connection.close.
    private static func closeReply(_ method: amqp_method_t) -> (code: Int, text: String)? {
        guard let decoded = method.decoded else { return nil }
        if method.id == TRASTIENDA_CHANNEL_CLOSE {
            let close = decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
            return (Int(close.reply_code), CDecode.string(close.reply_text))
        }
        if method.id == TRASTIENDA_CONNECTION_CLOSE {
            let close = decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            return (Int(close.reply_code), CDecode.string(close.reply_text))
        }
        return nil
    }

    static func describe(_ status: Int32) -> String {
        guard let text = amqp_error_string2(status) else { return "status \(status)" }
        return String(cString: text)
    }
}
