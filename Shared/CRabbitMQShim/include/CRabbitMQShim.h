#ifndef TRASTIENDA_CRABBITMQ_SHIM_PUBLIC_H
#define TRASTIENDA_CRABBITMQ_SHIM_PUBLIC_H
#include <amqp.h>

/// `amqp_login` with the PLAIN mechanism: the C function is variadic, which Swift cannot call.
amqp_rpc_reply_t trastienda_amqp_login_plain(amqp_connection_state_t state, char const *vhost, int channel_max,
                                             int frame_max, int heartbeat, char const *user, char const *password);

/// The same, with client properties (the connection name shown in the management UI).
amqp_rpc_reply_t trastienda_amqp_login_plain_with_properties(amqp_connection_state_t state, char const *vhost,
                                                             int channel_max, int frame_max, int heartbeat,
                                                             amqp_table_t const *properties, char const *user,
                                                             char const *password);

/// The socket file descriptor of the connection, for `poll`.
int trastienda_amqp_socket_fd(amqp_connection_state_t state);

/// A non-blocking eventfd that wakes a connection's thread from `poll` (Glibc's Swift module lacks it).
int trastienda_wake_descriptor(void);

#endif
