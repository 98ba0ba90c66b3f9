import ServiceRuntime

await TrastiendaService.main(Collections.definition)
