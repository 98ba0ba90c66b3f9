import ServiceRuntime

await TrastiendaService.main(SalesIntake.definition)
