import Foundation
import ServiceRuntime

let settings: ConsoleSettings
do {
    settings = try ConsoleSettings.load()
} catch {
    FileHandle.standardError.write(Data("console: configuration error: \(error)\n".utf8))
    exit(2)
}
await TrastiendaService.main(Console.definition(settings: settings))
