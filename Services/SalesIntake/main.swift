import Foundation
import SaleValidation
import ServiceRuntime

let partitioning: IntakePartitioning
let limits: SaleLimits
do {
    partitioning = try IntakePartitioning.load()
    limits = try SaleLimits.load()
} catch {
    FileHandle.standardError.write(Data("sales-intake: configuration error: \(error)\n".utf8))
    exit(2)
}
await TrastiendaService.main(SalesIntake.definition(partitioning: partitioning, limits: limits))
