import Foundation

/// One of the project's executables run as a separate process, as production runs it (so that it can be killed).
package final class ServiceProcess: @unchecked Sendable {
    package let name: String
    private let process = Process()
    package let logFile: URL

    /// Starts `.build/debug/<name>` with `arguments` and the current environment plus `environment`; `input`, when
    /// given, is what it reads on its standard input.
    package convenience init(_ name: String, arguments: [String] = [], environment: [String: String] = [:], input: String? = nil) throws {
        try self.init(
            executable: TestInfrastructure.repositoryRoot.appendingPathComponent(".build/debug/\(name)"), arguments: arguments,
            environment: environment, input: input)
    }

    /// Starts the program at `executable` (one of the repository's scripts, say) the same way.
    package init(executable: URL, arguments: [String] = [], environment: [String: String] = [:], input: String? = nil) throws {
        let name = executable.lastPathComponent
        self.name = name
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw InfrastructureUnavailable(description: "\(executable.path) is missing: build first (`make test` does)")
        }
        logFile = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8)).log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let log = try FileHandle(forWritingTo: logFile)
        process.executableURL = executable
        process.arguments = arguments
        // Services end with the test process, even when it crashes (ParentWatch).
        // Services end with the test process, and verify tokens with the test run's key.
        process.environment = ProcessInfo.processInfo.environment
            .merging(["TRASTIENDA_EXIT_WITH_PARENT": "1", "TRASTIENDA_AUTH_PUBLIC_KEY": TestTokens.publicKey]) { $1 }
            .merging(environment) { $1 }
        process.standardOutput = log
        process.standardError = log
        let stdin = input.map { _ in Pipe() }
        if let stdin { process.standardInput = stdin }
        try process.run()
        if let stdin, let input {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try? stdin.fileHandleForWriting.close()
        }
    }

    package var processIdentifier: Int32 { process.processIdentifier }

    package var isRunning: Bool { process.isRunning && endedStatus == nil }
    /// The exit code as a shell reports it, or −1 while the process is still running (Foundation traps when asked for
    /// the status of a running process, which would end the whole test run).
    package var exitCode: Int32 {
        if process.isRunning {
            guard let status = endedStatus else { return -1 }
            return status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + status & 0x7F
        }
        return process.terminationStatus
    }

    /// The wait status of a process that has ended but that Foundation has not reaped yet, from `/proc/<pid>/stat`.
    /// Foundation learns of a child's end when a socket the child holds is closed; a process started at the same
    /// moment by another test can inherit that socket and keep it open for its whole life, so `isRunning` may stay
    /// true long after the end.
    private var endedStatus: Int32? {
        guard let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
            let name = stat.range(of: ")", options: .backwards)
        else { return nil }
        let fields = stat[name.upperBound...].split(separator: " ")
        // Fields after the name start at the state (field 3); the exit code is field 52.
        guard fields.count >= 50, fields[0] == "Z" else { return nil }
        return Int32(fields[49].trimmingCharacters(in: .whitespacesAndNewlines))
    }
    package var output: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// Sends `signal` (SIGKILL: no goodbye, as a crash or an OOM kill would).
    package func send(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits for the process to end, at most `timeout`; true if it ended.
    @discardableResult
    package func waitForExit(timeout: Duration = .seconds(60)) async -> Bool {
        await eventually(timeout: timeout, interval: .milliseconds(50)) { !isRunning }
    }

    deinit {
        if isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
