import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The admin CLI: service status, dead letters (list, replay, purge), chain checks.
@main
struct Trastienda: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trastienda", abstract: "Administer a Trastienda installation.",
        subcommands: [Status.self, Provision.self, DeadLetterQueues.self, VerifyChain.self, Verifactu.self, Auth.self, Token.self])
}
