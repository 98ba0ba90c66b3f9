import Foundation
import Testing
import TrastiendaTesting

/// On the local three-node cluster that `make test` starts (`scripts/cluster.sh up`): the failover check of
/// `scripts/cluster-failover.sh`, which drives real processes (intake, billing, pos-sim) and the nodes themselves.
@Suite("Cluster failover")
struct ClusterFailoverTests {
    @Test(
        "SIGKILL the intake queue's leader under load: every sale recorded once and invoiced once, services back within 10 s",
        .timeLimit(.minutes(5)))
    func leaderKilledUnderLoad() async throws {
        let root = TestInfrastructure.repositoryRoot
        let check = try ServiceProcess(
            executable: root.appendingPathComponent("scripts/cluster-failover.sh"),
            environment: ["TRASTIENDA_BIN": root.appendingPathComponent(".build/debug").path])
        let ended = await check.waitForExit(timeout: .seconds(240))
        if !ended { check.send(SIGTERM) }
        let output = check.output
        try #require(ended, "the failover check did not end within 4 minutes:\n\(output)")
        #expect(check.exitCode == 0, "\(output)")
        #expect(output.contains("cluster failover: passed"), "\(output)")
        let reconnect = output.split(separator: "\n").first { $0.hasPrefix("reconnect after leader kill ms: ") }
            .flatMap { Int($0.split(separator: " ").last ?? "") }
        let milliseconds = try #require(reconnect, "no reconnect time in:\n\(output)")
        #expect(milliseconds < 10_000)
    }
}
