import Foundation
import ServiceRuntime

let settings: CollectionsSettings
do {
    settings = try CollectionsSettings.load()
} catch {
    FileHandle.standardError.write(Data("collections: configuration error: \(error)\n".utf8))
    exit(2)
}
await TrastiendaService.main(Collections.definition(settings: settings))
