import ServiceRuntime

await TrastiendaService.main("billing") {
    Billing.definition(fiscal: try FiscalSettings.load(), agency: try AgencySettings.load(), announcements: try AnnouncementSettings.load())
}
