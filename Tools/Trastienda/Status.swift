import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Readiness of the five services.")

    @Option(help: "Host the services run on.") var host = "localhost"

    func run() async throws {
        let services = [("sales-intake", 8081), ("billing", 8082), ("orders", 8083), ("collections", 8084), ("hr", 8085)]
        var allReady = true
        for (name, port) in services {
            let line: String
            do {
                let (data, response) = try await URLSession.shared.data(from: URL(string: "http://\(host):\(port)/health/ready")!)
                let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                allReady = allReady && status == 200
                line = "\(status == 200 ? "ready    " : "not ready") \(String(decoding: data, as: UTF8.self))"
            } catch {
                allReady = false
                line = "down      (no answer on port \(port))"
            }
            print("\(name.padding(toLength: 13, withPad: " ", startingAt: 0)) \(line)")
        }
        if !allReady { throw ExitCode(1) }
    }
}
