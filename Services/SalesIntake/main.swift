import SaleValidation
import ServiceRuntime

await TrastiendaService.main("sales-intake") {
    SalesIntake.definition(partitioning: try IntakePartitioning.load(), limits: try SaleLimits.load())
}
