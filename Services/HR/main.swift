import ServiceRuntime

await TrastiendaService.main(HR.definition)
