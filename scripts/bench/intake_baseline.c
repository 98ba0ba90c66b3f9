/*
 * The baseline for sales intake in `make bench`: the least a C intake can do. Consume with a prefetch, COPY each
 * batch (message id and body) into PostgreSQL, commit, acknowledge the batch with one multiple-ack. No validation,
 * no events. Prints "rate <sales per second>", timed from the first delivery to the last commit, and "cpu <seconds>"
 * of its own.
 *
 * usage: intake-baseline-c HOST PORT VHOST USER PASSWORD QUEUE PG_CONNINFO COUNT BATCH PREFETCH
 */
#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void exec_or_die(PGconn *pg, const char *sql) {
    PGresult *result = PQexec(pg, sql);
    if (PQresultStatus(result) != PGRES_COMMAND_OK) {
        fprintf(stderr, "%s: %s", sql, PQerrorMessage(pg));
        exit(1);
    }
    PQclear(result);
}

/* Appends bytes to the COPY buffer in text format: backslash, tab, newline and carriage return escaped. */
static size_t append_escaped(char *out, const char *in, size_t length) {
    size_t n = 0;
    for (size_t i = 0; i < length; i++) {
        char c = in[i];
        switch (c) {
        case '\\': out[n++] = '\\'; out[n++] = '\\'; break;
        case '\t': out[n++] = '\\'; out[n++] = 't'; break;
        case '\n': out[n++] = '\\'; out[n++] = 'n'; break;
        case '\r': out[n++] = '\\'; out[n++] = 'r'; break;
        default: out[n++] = c;
        }
    }
    return n;
}

int main(int argc, char **argv) {
    if (argc != 11) {
        fprintf(stderr, "usage: %s HOST PORT VHOST USER PASSWORD QUEUE PG_CONNINFO COUNT BATCH PREFETCH\n", argv[0]);
        return 2;
    }
    const char *host = argv[1], *vhost = argv[3], *user = argv[4], *password = argv[5], *queue = argv[6], *conninfo = argv[7];
    int port = atoi(argv[2]);
    long count = atol(argv[8]);
    int batch = atoi(argv[9]), prefetch = atoi(argv[10]);

    PGconn *pg = PQconnectdb(conninfo);
    if (PQstatus(pg) != CONNECTION_OK) {
        fprintf(stderr, "postgres: %s", PQerrorMessage(pg));
        return 1;
    }
    exec_or_die(pg, "CREATE SCHEMA IF NOT EXISTS bench_baseline");
    exec_or_die(pg, "DROP TABLE IF EXISTS bench_baseline.sales");
    exec_or_die(pg, "CREATE TABLE bench_baseline.sales (sale_id text PRIMARY KEY, payload text NOT NULL)");

    amqp_connection_state_t conn = amqp_new_connection();
    amqp_socket_t *socket = amqp_tcp_socket_new(conn);
    if (amqp_socket_open(socket, host, port) != AMQP_STATUS_OK) {
        fprintf(stderr, "cannot connect to %s:%d\n", host, port);
        return 1;
    }
    if (amqp_login(conn, vhost, 0, 131072, 30, AMQP_SASL_METHOD_PLAIN, user, password).reply_type != AMQP_RESPONSE_NORMAL) {
        fprintf(stderr, "login failed\n");
        return 1;
    }
    amqp_channel_open(conn, 1);
    amqp_basic_qos(conn, 1, 0, (uint16_t)prefetch, 0);
    amqp_basic_consume(conn, 1, amqp_cstring_bytes(queue), amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
    if (amqp_get_rpc_reply(conn).reply_type != AMQP_RESPONSE_NORMAL) {
        fprintf(stderr, "consume failed\n");
        return 1;
    }

    size_t capacity = (size_t)batch * 70000 * 2;
    char *buffer = malloc(capacity);
    long done = 0;
    double started = 0;
    while (done < count) {
        size_t used = 0;
        int in_batch = 0;
        uint64_t last_tag = 0;
        while (in_batch < batch && done + in_batch < count) {
            amqp_envelope_t envelope;
            struct timeval timeout = {0, 20000};
            amqp_maybe_release_buffers(conn);
            amqp_rpc_reply_t reply = amqp_consume_message(conn, &envelope, in_batch > 0 ? &timeout : NULL, 0);
            if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && reply.library_error == AMQP_STATUS_TIMEOUT) break;
            if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
                fprintf(stderr, "consume failed\n");
                return 1;
            }
            if (started == 0) started = now_seconds();
            amqp_basic_properties_t *props = &envelope.message.properties;
            used += append_escaped(buffer + used, props->message_id.bytes, props->message_id.len);
            buffer[used++] = '\t';
            used += append_escaped(buffer + used, envelope.message.body.bytes, envelope.message.body.len);
            buffer[used++] = '\n';
            last_tag = envelope.delivery_tag;
            in_batch++;
            amqp_destroy_envelope(&envelope);
        }
        if (in_batch == 0) continue;
        exec_or_die(pg, "BEGIN");
        PGresult *result = PQexec(pg, "COPY bench_baseline.sales (sale_id, payload) FROM STDIN");
        if (PQresultStatus(result) != PGRES_COPY_IN) {
            fprintf(stderr, "copy: %s", PQerrorMessage(pg));
            return 1;
        }
        PQclear(result);
        if (PQputCopyData(pg, buffer, (int)used) != 1 || PQputCopyEnd(pg, NULL) != 1) {
            fprintf(stderr, "copy data: %s", PQerrorMessage(pg));
            return 1;
        }
        while ((result = PQgetResult(pg)) != NULL) {
            if (PQresultStatus(result) != PGRES_COMMAND_OK) {
                fprintf(stderr, "copy end: %s", PQerrorMessage(pg));
                return 1;
            }
            PQclear(result);
        }
        exec_or_die(pg, "COMMIT");
        amqp_basic_ack(conn, 1, last_tag, 1);
        done += in_batch;
    }
    double elapsed = now_seconds() - started;
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    double cpu = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
    printf("rate %.0f\ncpu %.3f\n", done / elapsed, cpu);
    amqp_channel_close(conn, 1, AMQP_REPLY_SUCCESS);
    amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(conn);
    PQfinish(pg);
    return 0;
}
