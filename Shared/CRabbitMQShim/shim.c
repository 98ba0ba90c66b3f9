#include "CRabbitMQShim.h"
#include <sys/eventfd.h>

amqp_rpc_reply_t trastienda_amqp_login_plain(amqp_connection_state_t state, char const *vhost, int channel_max,
                                             int frame_max, int heartbeat, char const *user, char const *password) {
    return amqp_login(state, vhost, channel_max, frame_max, heartbeat, AMQP_SASL_METHOD_PLAIN, user, password);
}

amqp_rpc_reply_t trastienda_amqp_login_plain_with_properties(amqp_connection_state_t state, char const *vhost,
                                                             int channel_max, int frame_max, int heartbeat,
                                                             amqp_table_t const *properties, char const *user,
                                                             char const *password) {
    return amqp_login_with_properties(state, vhost, channel_max, frame_max, heartbeat, properties,
                                      AMQP_SASL_METHOD_PLAIN, user, password);
}

int trastienda_amqp_socket_fd(amqp_connection_state_t state) {
    return amqp_get_sockfd(state);
}

int trastienda_wake_descriptor(void) {
    return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}
