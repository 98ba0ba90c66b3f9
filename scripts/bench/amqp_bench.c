/*
 * The baseline for `make bench`: plain rabbitmq-c, no Swift. Publishes persistent messages with confirms to a quorum
 * queue keeping a window of unconfirmed messages, or consumes them with a prefetch and one multiple-ack per batch.
 * Prints "rate <messages per second>".
 *
 * usage: amqp-bench-c publish|consume HOST PORT VHOST USER PASSWORD QUEUE COUNT WINDOW_OR_PREFETCH BATCH
 *
 * BENCH_QUEUE_TYPE (quorum, or stream: consumed from its first offset), BENCH_BODY_BYTES (400) and BENCH_EXCHANGE (a
 * publisher's exchange, declared beforehand; the queue then is not declared) let scripts/bench/fanout.sh compare
 * layouts of one message read by several consumers.
 */
#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void die_on_reply(amqp_rpc_reply_t reply, const char *doing) {
    if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
        fprintf(stderr, "%s failed (reply type %d)\n", doing, reply.reply_type);
        exit(1);
    }
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 11) {
        fprintf(stderr, "usage: %s publish|consume HOST PORT VHOST USER PASSWORD QUEUE COUNT WINDOW BATCH\n", argv[0]);
        return 2;
    }
    const char *mode = argv[1], *host = argv[2], *vhost = argv[4], *user = argv[5], *password = argv[6], *queue = argv[7];
    int port = atoi(argv[3]);
    long count = atol(argv[8]);
    int window = atoi(argv[9]);
    int batch = atoi(argv[10]);

    amqp_connection_state_t conn = amqp_new_connection();
    amqp_socket_t *socket = amqp_tcp_socket_new(conn);
    if (amqp_socket_open(socket, host, port) != AMQP_STATUS_OK) {
        fprintf(stderr, "cannot connect to %s:%d\n", host, port);
        return 1;
    }
    die_on_reply(amqp_login(conn, vhost, 0, 131072, 30, AMQP_SASL_METHOD_PLAIN, user, password), "login");
    amqp_channel_open(conn, 1);
    die_on_reply(amqp_get_rpc_reply(conn), "channel.open");

    amqp_table_entry_t entries[1];
    entries[0].key = amqp_cstring_bytes("x-queue-type");
    entries[0].value.kind = AMQP_FIELD_KIND_UTF8;
    const char *queue_type = getenv("BENCH_QUEUE_TYPE") ? getenv("BENCH_QUEUE_TYPE") : "quorum";
    const char *exchange = getenv("BENCH_EXCHANGE");
    long body_bytes = getenv("BENCH_BODY_BYTES") ? atol(getenv("BENCH_BODY_BYTES")) : 400;
    entries[0].value.value.bytes = amqp_cstring_bytes(queue_type);
    amqp_table_t arguments = {1, entries};
    if (!exchange) {
        amqp_queue_declare(conn, 1, amqp_cstring_bytes(queue), 0, 1, 0, 0, arguments);
        die_on_reply(amqp_get_rpc_reply(conn), "queue.declare");
    }

    double started = now_seconds();
    if (strcmp(mode, "publish") == 0) {
        amqp_confirm_select(conn, 1);
        die_on_reply(amqp_get_rpc_reply(conn), "confirm.select");
        char *body = malloc(body_bytes);
        memset(body, 'x', body_bytes);
        amqp_basic_properties_t props;
        props._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_TYPE_FLAG |
                       AMQP_BASIC_MESSAGE_ID_FLAG | AMQP_BASIC_TIMESTAMP_FLAG;
        props.content_type = amqp_cstring_bytes("application/json");
        props.delivery_mode = 2;
        props.type = amqp_cstring_bytes("bench.message.v1");
        props.timestamp = (uint64_t)time(NULL);
        char id[32];
        long sent = 0, confirmed = 0;
        while (confirmed < count) {
            while (sent < count && sent - confirmed < window) {
                snprintf(id, sizeof id, "m-%ld", sent);
                props.message_id = amqp_cstring_bytes(id);
                if (amqp_basic_publish(conn, 1, exchange ? amqp_cstring_bytes(exchange) : amqp_empty_bytes,
                                       amqp_cstring_bytes(exchange ? "" : queue), 0, 0, &props,
                                       (amqp_bytes_t){(size_t)body_bytes, body}) != AMQP_STATUS_OK) {
                    fprintf(stderr, "publish failed\n");
                    return 1;
                }
                sent++;
            }
            amqp_frame_t frame;
            if (amqp_simple_wait_frame(conn, &frame) != AMQP_STATUS_OK) {
                fprintf(stderr, "reading confirms failed\n");
                return 1;
            }
            if (frame.frame_type == AMQP_FRAME_METHOD && frame.payload.method.id == AMQP_BASIC_ACK_METHOD) {
                amqp_basic_ack_t *ack = frame.payload.method.decoded;
                confirmed = ack->multiple ? (long)ack->delivery_tag : confirmed + 1;
            } else if (frame.frame_type == AMQP_FRAME_METHOD && frame.payload.method.id == AMQP_BASIC_NACK_METHOD) {
                fprintf(stderr, "nacked\n");
                return 1;
            }
            amqp_maybe_release_buffers(conn);
        }
    } else {
        amqp_basic_qos(conn, 1, 0, (uint16_t)window, 0);
        die_on_reply(amqp_get_rpc_reply(conn), "basic.qos");
        amqp_table_entry_t offset[1];
        offset[0].key = amqp_cstring_bytes("x-stream-offset");
        offset[0].value.kind = AMQP_FIELD_KIND_UTF8;
        offset[0].value.value.bytes = amqp_cstring_bytes("first");
        amqp_table_t consume_arguments = {strcmp(queue_type, "stream") == 0 ? 1 : 0, offset};
        amqp_basic_consume(conn, 1, amqp_cstring_bytes(queue), amqp_empty_bytes, 0, 0, 0, consume_arguments);
        die_on_reply(amqp_get_rpc_reply(conn), "basic.consume");
        long received = 0;
        while (received < count) {
            amqp_envelope_t envelope;
            amqp_maybe_release_buffers(conn);
            amqp_rpc_reply_t reply = amqp_consume_message(conn, &envelope, NULL, 0);
            if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
                fprintf(stderr, "consume failed\n");
                return 1;
            }
            if (received == 0) started = now_seconds(); /* timed from the first delivery, as the Swift side is */
            received++;
            if (received % batch == 0 || received == count) amqp_basic_ack(conn, 1, envelope.delivery_tag, 1);
            amqp_destroy_envelope(&envelope);
        }
    }
    double elapsed = now_seconds() - started;
    printf("rate %.0f\n", count / elapsed);
    amqp_channel_close(conn, 1, AMQP_REPLY_SUCCESS);
    amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(conn);
    return 0;
}
