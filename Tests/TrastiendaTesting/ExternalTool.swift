import Foundation

/// A command-line tool (xmllint, chromium, zbarimg…) run to its end on a thread of its own, so that waiting for it
/// never holds one of Swift's few cooperative threads (on two cores, two blocked threads stall every other test).
package enum ExternalTool {
    /// Runs `tool` (looked up on the PATH) with `arguments`; returns its exit status and what it wrote, standard
    /// error included. Throws, with `missing` as the message, when the tool is not installed.
    package static func run(_ tool: String, _ arguments: [String], missing: String) async throws -> (status: Int32, output: String) {
        let result: (Int32, String)? = await withCheckedContinuation { continuation in
            Thread {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = [tool] + arguments
                let pipe = Pipe()
                process.standardOutput = pipe
                process.standardError = pipe
                guard (try? process.run()) != nil else {
                    continuation.resume(returning: nil)
                    return
                }
                let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                continuation.resume(returning: (process.terminationStatus, output))
            }.start()
        }
        guard let result, result.0 != 127 else { throw InfrastructureUnavailable(description: missing) }
        return result
    }
}
