import Foundation
import ServiceRuntime

let fiscal: FiscalSettings
let agency: AgencySettings
do {
    fiscal = try FiscalSettings.load()
    agency = try AgencySettings.load()
} catch {
    FileHandle.standardError.write(Data("billing: configuration error: \(error)\n".utf8))
    exit(2)
}
await TrastiendaService.main(Billing.definition(fiscal: fiscal, agency: agency))
