import AMQPClient
import Contracts
import Foundation
import SaleValidation

/// The sale reader and intake's validator driven by arbitrary bytes. Nothing may trap, and what intake accepts,
/// every service downstream must be able to read and store (``SaleContract/storageViolation(of:)``): a sale that
/// passes one and not the other ends the run. `make fuzz` builds this with libFuzzer (`-sanitize=fuzzer`) and runs
/// it for a bounded time from the committed corpus; built normally, it replays files given as arguments (the
/// corpus, or a crash libFuzzer wrote), which is how a crash becomes a regression test.
enum SaleFuzzing {
    static let validator = SaleValidator()
    /// A fixed now, so that a run is reproducible; the corpus's sales are dated around it.
    static let now = ISO8601Timestamp.parse("2026-11-29T12:00:00Z")!

    static func check(_ body: [UInt8]) {
        // The routing key and message id a terminal would give it, so that the fuzzer reaches the later rules.
        let sale = try? SaleJSONParser.parse(body)
        let delivery = Delivery(
            deliveryTag: 1, connectionGeneration: 1, exchange: "pos", routingKey: sale?.routingKey ?? "sale.S001.S001-T01",
            redelivered: false, body: body, properties: MessageProperties(type: POSSaleV1.messageType, messageId: sale?.saleId))
        if case .success(let accepted) = validator.validate(delivery, now: now) {
            guard let read = try? SaleJSONParser.parse(accepted.body) else { fatalError("accepted but unreadable: \(String(decoding: body, as: UTF8.self))") }
            if let violation = SaleContract.storageViolation(of: read) {
                fatalError("accepted by intake but not storable downstream (\(violation)): \(String(decoding: body, as: UTF8.self))")
            }
        }
        _ = try? SaleJSONParser.parseRecorded(body)
        if let sale { _ = SaleContract.storageViolation(of: sale) }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    SaleFuzzing.check(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

#if FUZZING
/// libFuzzer's driver, run from this executable's own entry point (the package's executables keep their `main`).
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

@main
struct SaleFuzzDriver {
    static func main() {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(runFuzzerDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) })
    }
}
#else
@main
struct SaleFuzzReplay {
    /// Replays every file named (folders: every file in them); prints how many.
    static func main() throws {
        var count = 0
        for argument in CommandLine.arguments.dropFirst() {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: argument, isDirectory: &isFolder) else {
                FileHandle.standardError.write(Data("sale-fuzz: no such file: \(argument)\n".utf8))
                exit(2)
            }
            let files = isFolder.boolValue
                ? try FileManager.default.contentsOfDirectory(atPath: argument).sorted().map { "\(argument)/\($0)" } : [argument]
            for file in files {
                SaleFuzzing.check(Array(try Data(contentsOf: URL(fileURLWithPath: file))))
                count += 1
            }
        }
        print("sale-fuzz: \(count) input(s) replayed, none trapped")
    }
}
#endif
