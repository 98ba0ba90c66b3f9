import ServiceRuntime

await TrastiendaService.main(Billing.definition)
