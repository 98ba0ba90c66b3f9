import Foundation
import Logging
import Synchronization
import Testing

@testable import AMQPClient

#if canImport(Glibc)
import Glibc
#endif

/// A broker that lets clients log in and then never answers again: what a broker too loaded to answer looks like
/// from the client (seen on CI as declarations answered a minute late).
@Suite("A broker that stops answering")
struct SilentBrokerTests {
    @Test("a request it never answers is given up after the answer timeout and the connection opened again; close returns")
    func unansweredRequest() async throws {
        let broker = try SilentBroker()
        defer { broker.stop() }
        var configuration = try AMQPConfiguration(url: "amqp://u:p@127.0.0.1:\(broker.port)/", connectionName: "silent")
        configuration.answerTimeoutSeconds = 1
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let connection = AMQPConnection(configuration: configuration, logger: logger)

        // Opening the channel is never answered: without a timeout the thread would wait there for good.
        let deadline = ContinuousClock.now + .seconds(10)
        while broker.logins < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(broker.logins >= 2, "the unanswered request was given up and the connection opened again")
        #expect(!connection.isConnected)

        let closed = Counter()
        let closing = Task {
            await connection.close()
            closed.add()
        }
        let closeDeadline = ContinuousClock.now + .seconds(10)
        while closed.value == 0, ContinuousClock.now < closeDeadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(closed.value == 1, "close waits for one unanswered request at most")
        if closed.value == 1 { await closing.value }
    }
}

/// Speaks AMQP 0-9-1 up to `connection.open-ok`, then reads and answers nothing.
private final class SilentBroker: Sendable {
    let port: Int
    private let listener: Int32
    private let loginCount = Counter()

    var logins: Int { loginCount.value }

    init() throws {
        let listening = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        listener = listening
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(listening, socketAddress, length) == 0 && listen(listening, 8) == 0
                    && getsockname(listening, socketAddress, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        port = Int(UInt16(bigEndian: address.sin_port))
        let loginCount = loginCount
        Thread {
            while true {
                let client = accept(listening, nil, nil)
                guard client >= 0 else { return }
                Thread { Self.serve(client, loginCount: loginCount) }.start()
            }
        }.start()
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private static func serve(_ client: Int32, loginCount: Counter) {
        defer { close(client) }
        guard read(client, count: 8) != nil else { return }  // "AMQP" 0 0 9 1
        // connection.start: version 0-9, no server properties, PLAIN, en_US.
        write(client, method(10, 10, [0, 9] + [0, 0, 0, 0] + longString("PLAIN") + longString("en_US")))
        guard readFrame(client) != nil else { return }  // start-ok
        // connection.tune: 2047 channels, frames up to 128 kB, no heartbeat.
        write(client, method(10, 30, [0x07, 0xFF] + [0, 2, 0, 0] + [0, 0]))
        guard readFrame(client) != nil, readFrame(client) != nil else { return }  // tune-ok, open
        write(client, method(10, 41, [0]))  // connection.open-ok
        loginCount.add()
        while readFrame(client) != nil {}  // channel.open and whatever follows: never answered
    }

    private static func method(_ classId: UInt16, _ methodId: UInt16, _ arguments: [UInt8]) -> [UInt8] {
        let payload = bytes(classId) + bytes(methodId) + arguments
        return [1, 0, 0] + bytes(UInt32(payload.count)) + payload + [0xCE]
    }

    private static func longString(_ text: String) -> [UInt8] { bytes(UInt32(text.utf8.count)) + Array(text.utf8) }

    private static func bytes(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }

    private static func bytes(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8((value >> (24 - 8 * $0)) & 0xFF) } }

    private static func readFrame(_ client: Int32) -> [UInt8]? {
        guard let header = read(client, count: 7) else { return nil }
        let size = header[3...6].reduce(0) { $0 << 8 | Int($1) }
        return read(client, count: size + 1)
    }

    private static func read(_ client: Int32, count: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = buffer.withUnsafeMutableBytes { Glibc.read(client, $0.baseAddress! + filled, count - filled) }
            guard got > 0 else { return nil }
            filled += got
        }
        return buffer
    }

    private static func write(_ client: Int32, _ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(client, $0.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }
    }
}

private final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .relaxed) }
    func add() { count.add(1, ordering: .relaxed) }
}
