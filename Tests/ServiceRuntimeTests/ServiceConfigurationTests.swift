import AMQPClient
import Logging
import ServiceRuntime
import Testing

@Suite("Service configuration from the environment")
struct ServiceConfigurationTests {
    static let key = try! AuthKeys.generate().publicKey

    @Test("defaults need no variables but the tokens' public key")
    func defaults() throws {
        let configuration = try ServiceConfiguration.load(service: "billing", defaultHTTPPort: 8082, environment: ["TRASTIENDA_AUTH_PUBLIC_KEY": Self.key])
        #expect(configuration.httpPort == 8082)
        #expect(configuration.amqp.host == "localhost")
        #expect(configuration.databaseURL == ServiceConfiguration.defaultDatabaseURL)
        #expect(configuration.prefetch == 1000)
        #expect(configuration.batchSize == 500)
        #expect(configuration.batchWait == .milliseconds(10))
        #expect(configuration.logLevel == .info)
    }

    @Test("a service-specific variable overrides the shared one")
    func overrides() throws {
        let environment = [
            "TRASTIENDA_DATABASE_URL": "postgres://shared@db/trastienda",
            "TRASTIENDA_SALES_INTAKE_DATABASE_URL": "postgres://intake@db-intake/trastienda",
            "TRASTIENDA_AMQP_URL": "amqp://u:p@rabbit:5672/shop",
            "TRASTIENDA_HTTP_PORT": "9000",
            "TRASTIENDA_SALES_INTAKE_CONSUMER_BATCH_SIZE": "250",
            "TRASTIENDA_LOG_LEVEL": "debug", "TRASTIENDA_AUTH_PUBLIC_KEY": Self.key,
        ]
        let intake = try ServiceConfiguration.load(service: "sales-intake", defaultHTTPPort: 8081, environment: environment)
        #expect(intake.databaseURL == "postgres://intake@db-intake/trastienda")
        #expect(intake.amqp.virtualHost == "shop")
        #expect(intake.httpPort == 9000)
        #expect(intake.batchSize == 250)
        #expect(intake.logLevel == .debug)
        let billing = try ServiceConfiguration.load(service: "billing", defaultHTTPPort: 8082, environment: environment)
        #expect(billing.databaseURL == "postgres://shared@db/trastienda")
        #expect(billing.batchSize == 500)
    }

    @Test("bad values are refused with the variable, the value and what would do", arguments: [
        ("TRASTIENDA_HTTP_PORT", "eighty", "TRASTIENDA_HTTP_PORT='eighty'"),
        ("TRASTIENDA_BILLING_HTTP_PORT", "70000", "TRASTIENDA_BILLING_HTTP_PORT='70000'"),
        ("TRASTIENDA_CONSUMER_PREFETCH", "0", "TRASTIENDA_CONSUMER_PREFETCH='0'"),
        ("TRASTIENDA_LOG_LEVEL", "loud", "TRASTIENDA_LOG_LEVEL='loud'"),
        ("TRASTIENDA_AMQP_URL", "http://rabbit", "TRASTIENDA_AMQP_URL='http://rabbit'"),
        ("TRASTIENDA_DATABASE_URL", "mysql://db", "TRASTIENDA_DATABASE_URL='mysql://db'"),
        ("TRASTIENDA_AUTH_PUBLIC_KEY", "not-a-key", "TRASTIENDA_AUTH_PUBLIC_KEY='not-a-key'"),
    ])
    func refused(variable: String, value: String, expectedStart: String) {
        let error = #expect(throws: ConfigurationError.self) {
            try ServiceConfiguration.load(service: "billing", defaultHTTPPort: 8082, environment: ["TRASTIENDA_AUTH_PUBLIC_KEY": Self.key].merging([variable: value]) { $1 })
        }
        #expect(error?.description.hasPrefix(expectedStart) == true, "\(String(describing: error))")
        #expect(error?.description.contains("expected") == true)
    }

    @Test("without the tokens' public key a service does not start: it would serve nobody, or everybody")
    func keyRequired() {
        let error = #expect(throws: ConfigurationError.self) {
            try ServiceConfiguration.load(service: "billing", defaultHTTPPort: 8082, environment: [:])
        }
        #expect(error?.variable == "TRASTIENDA_AUTH_PUBLIC_KEY", "\(String(describing: error))")
    }
}
