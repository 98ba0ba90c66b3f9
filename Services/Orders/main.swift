import ServiceRuntime

await TrastiendaService.main(Orders.definition)
