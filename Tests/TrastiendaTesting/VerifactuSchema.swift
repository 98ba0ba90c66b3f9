import Foundation

/// The tax agency's schemas, beside the checkout (`../shared/verifactu`).
package let verifactuSchemas = TestInfrastructure.repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/verifactu")

/// The tax agency's submission schema, with which tests validate billing records as an auditor would.
package enum VerifactuSchema {
    static let submission =
        "https://www2.agenciatributaria.gob.es/static_files/common/internet/dep/aplicaciones/es/aeat/tike/cont/ws/SuministroLR.xsd"
    static let information =
        "https://www2.agenciatributaria.gob.es/static_files/common/internet/dep/aplicaciones/es/aeat/tike/cont/ws/SuministroInformacion.xsd"

    /// Records wrapped in a submission envelope and validated offline with `xmllint --nonet` against
    /// `SuministroLR.xsd`; returns xmllint's exit status and what it said.
    package static func validate(_ records: [String], issuer: String = "89890001K") async throws -> (status: Int32, output: String) {
        let body = records.map { $0.replacingOccurrences(of: #"<?xml version="1.0" encoding="UTF-8"?>"#, with: "") }
        let envelope = """
            <?xml version="1.0" encoding="UTF-8"?>
            <sfLR:RegFactuSistemaFacturacion xmlns:sfLR="\(submission)" xmlns:sf="\(information)">\
            <sfLR:Cabecera><sf:ObligadoEmision><sf:NombreRazon>Obligado</sf:NombreRazon><sf:NIF>\(issuer)</sf:NIF></sf:ObligadoEmision></sfLR:Cabecera>\
            \(body.map { "<sfLR:RegistroFactura>\($0)</sfLR:RegistroFactura>" }.joined())\
            </sfLR:RegFactuSistemaFacturacion>
            """
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("records-\(UUID().uuidString.prefix(8)).xml")
        try envelope.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let schema = verifactuSchemas.appendingPathComponent("SuministroLR.xsd").path
        guard FileManager.default.fileExists(atPath: schema) else {
            throw InfrastructureUnavailable(description: "the tax agency's schemas are not at \(schema) (shared/verifactu beside the checkout)")
        }
        return try await ExternalTool.run(
            "xmllint", ["--nonet", "--noout", "--schema", schema, file.path], missing: "xmllint is missing: `make test` installs libxml2-utils")
    }
}
