import ServiceRuntime

await TrastiendaService.main("console") { Console.definition(settings: try ConsoleSettings.load()) }
