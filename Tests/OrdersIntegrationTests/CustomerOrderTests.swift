import AMQPClient
import Contracts
import Foundation
import Testing
import TrastiendaTesting

@testable import orders

@Suite("Customer orders from registration to delivery")
struct CustomerOrderTests {
    func register(_ orders: OrdersHarness, id: String, quantity: Int64 = 4) async throws -> Int {
        try await orders.service.request(
            "POST", "/orders",
            body: #"{"orderId":"\#(id)","storeId":"S001","customer":{"name":"Ana","address":"C/ Luna 2"},"lines":[{"sku":"SOFA-1","quantity":\#(quantity)}]}"#
        ).status
    }

    func stock(_ orders: OrdersHarness) async throws -> (onHand: Int64, reserved: Int64) {
        let row = try await orders.json("GET", "/stock/S001/SOFA-1").value as? [String: Any] ?? [:]
        return ((row["onHand"] as? NSNumber)?.int64Value ?? 0, (row["reserved"] as? NSNumber)?.int64Value ?? 0)
    }

    @Test("an order runs registered → confirmed → picked → shipped → delivered, each step announced; an impossible step gets a 409")
    func lifecycle() async throws {
        try await OrdersHarness.with { orders in
            #expect(try await orders.json("POST", "/stock/S001/SOFA-1/adjustments", body: #"{"quantity":10,"reason":"delivery note 7"}"#).status == 200)
            #expect(try await register(orders, id: "O-1") == 201)
            #expect(try await register(orders, id: "O-1") == 200, "registering the same order again changes nothing")
            #expect(try await stock(orders) == (10, 4))

            let early = try await orders.service.request("POST", "/orders/O-1/transitions", body: #"{"to":"shipped"}"#)
            #expect(early.status == 409)
            #expect(early.body.contains("registered") && early.body.contains("confirmed or cancelled"), "\(early.body)")

            for status in ["confirmed", "picked", "shipped"] {
                #expect(try await orders.service.request("POST", "/orders/O-1/transitions", body: #"{"to":"\#(status)"}"#).status == 200)
            }
            #expect(try await stock(orders) == (6, 0), "shipping takes the units out and ends the reservation")
            let incident = try await orders.service.request(
                "POST", "/orders/O-1/incidents", body: #"{"kind":"failed_delivery","note":"nobody at home"}"#)
            #expect(incident.status == 201)
            #expect(try await orders.service.request("POST", "/orders/O-1/incidents", body: #"{"kind":"lost","note":"?"}"#).status == 400)
            #expect(try await orders.service.request("POST", "/orders/O-1/transitions", body: #"{"to":"delivered","note":"second try"}"#).status == 200)
            let after = try await orders.service.request("POST", "/orders/O-1/transitions", body: #"{"to":"cancelled"}"#)
            #expect(after.status == 409 && after.body.contains("can change no more"), "\(after.body)")
            #expect(try await orders.service.request("POST", "/orders/O-9/transitions", body: #"{"to":"confirmed"}"#).status == 404)
            #expect(try await orders.service.request("POST", "/orders/O-1/transitions", body: #"{"to":"lost"}"#).status == 400)

            let document = try await orders.json("GET", "/orders/O-1").value as? [String: Any] ?? [:]
            #expect(document["status"] as? String == "delivered")
            let history = (document["history"] as? [[String: Any]] ?? []).compactMap { $0["event"] as? String }
            #expect(history == ["registered", "confirmed", "picked", "shipped", "incident", "delivered"])
            #expect((document["incidents"] as? [[String: Any]])?.first?["note"] as? String == "failed_delivery: nobody at home")

            #expect(await eventually { orders.orderEvents.count >= 6 })
            let keys = orders.orderEvents.all.map(\.routingKey)
            #expect(keys == ["order.registered.S001", "order.confirmed.S001", "order.picked.S001", "order.shipped.S001",
                             "order.incident.S001", "order.delivered.S001"])
            let shipped = try JSONDecoder().decode(OrderEventV1.self, from: Data(orders.orderEvents.all[3].body))
            #expect(shipped.orderId == "O-1" && shipped.status == "shipped")
        }
    }

    @Test("cancelling releases the reservation")
    func cancelReleases() async throws {
        try await OrdersHarness.with { orders in
            #expect(try await orders.json("POST", "/stock/S001/SOFA-1/adjustments", body: #"{"quantity":10,"reason":"count"}"#).status == 200)
            #expect(try await register(orders, id: "O-2", quantity: 7) == 201)
            #expect(try await stock(orders) == (10, 7))
            #expect(try await orders.service.request("POST", "/orders/O-2/transitions", body: #"{"to":"confirmed"}"#).status == 200)
            #expect(try await orders.service.request("POST", "/orders/O-2/transitions", body: #"{"to":"cancelled","note":"changed mind"}"#).status == 200)
            #expect(try await stock(orders) == (10, 0))
            let listed = pageItems(try await orders.json("GET", "/orders?store=S001&status=cancelled").value)
            #expect(listed?.map { $0["orderId"] as? String } == ["O-2"])
        }
    }

    @Test("an order.register command registers its order once; a bad one is dead-lettered with its reason")
    func commands() async throws {
        try await OrdersHarness.with { orders in
            let command = RegisterOrderV1(
                orderId: "O-3", storeId: "S002", customer: Party(taxId: nil, name: "Luis", address: "C/ Sol 3"),
                lines: [.init(sku: "TV-55", quantity: 1)])
            let message = OutgoingMessage(
                exchange: Exchanges.ordersCommands.name, routingKey: RegisterOrderV1.routingKey, body: Array(try JSONEncoder().encode(command)),
                properties: MessageProperties(type: RegisterOrderV1.messageType, messageId: "c-1"))
            var invalid = command
            invalid.orderId = "O 4 has spaces"
            let bad = OutgoingMessage(
                exchange: Exchanges.ordersCommands.name, routingKey: RegisterOrderV1.routingKey, body: Array(try JSONEncoder().encode(invalid)),
                properties: MessageProperties(type: RegisterOrderV1.messageType, messageId: "c-2"))
            let parked = Seen()
            try await running([
                collector(orders.service.amqp, queue: Topology.deadLetterQueueName(for: Queues.ordersCommands), topology: Orders.topology, into: parked)
            ]) {
                try await orders.till.publish([message, message, bad])
                #expect(await eventually { (try? await orders.json("GET", "/orders/O-3").status) == 200 && parked.count == 1 })
            }
            #expect(parked.all.first?.properties.headers[Rejection.codeHeader] == .string("order.invalid"))
            #expect(await eventually { orders.orderEvents.count >= 1 })
            try await Task.sleep(for: .milliseconds(200))
            #expect(orders.orderEvents.all.filter { $0.routingKey == "order.registered.S002" }.count == 1)
            let stock = try await orders.json("GET", "/stock/S002/TV-55").value as? [String: Any]
            #expect((stock?["reserved"] as? NSNumber)?.int64Value == 1)
        }
    }
}
