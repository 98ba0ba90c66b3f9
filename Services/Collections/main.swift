import ServiceRuntime

await TrastiendaService.main("collections") { Collections.definition(settings: try CollectionsSettings.load()) }
