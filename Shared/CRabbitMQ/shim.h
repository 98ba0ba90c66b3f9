#ifndef TRASTIENDA_CRABBITMQ_SHIM_H
#define TRASTIENDA_CRABBITMQ_SHIM_H
#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>
#include <amqp_ssl_socket.h>

/* Method numbers and property flags are cast macros that Swift does not import; restate them as constants. */
static const amqp_method_number_t TRASTIENDA_BASIC_DELIVER = AMQP_BASIC_DELIVER_METHOD;
static const amqp_method_number_t TRASTIENDA_BASIC_ACK = AMQP_BASIC_ACK_METHOD;
static const amqp_method_number_t TRASTIENDA_BASIC_NACK = AMQP_BASIC_NACK_METHOD;
static const amqp_method_number_t TRASTIENDA_BASIC_RETURN = AMQP_BASIC_RETURN_METHOD;
static const amqp_method_number_t TRASTIENDA_BASIC_CANCEL = AMQP_BASIC_CANCEL_METHOD;
static const amqp_method_number_t TRASTIENDA_BASIC_CANCEL_OK = AMQP_BASIC_CANCEL_OK_METHOD;
static const amqp_method_number_t TRASTIENDA_CHANNEL_CLOSE = AMQP_CHANNEL_CLOSE_METHOD;
static const amqp_method_number_t TRASTIENDA_CHANNEL_CLOSE_OK = AMQP_CHANNEL_CLOSE_OK_METHOD;
static const amqp_method_number_t TRASTIENDA_CONNECTION_CLOSE = AMQP_CONNECTION_CLOSE_METHOD;
static const amqp_method_number_t TRASTIENDA_CONNECTION_CLOSE_OK = AMQP_CONNECTION_CLOSE_OK_METHOD;
static const amqp_method_number_t TRASTIENDA_CONNECTION_BLOCKED = AMQP_CONNECTION_BLOCKED_METHOD;
static const amqp_method_number_t TRASTIENDA_CONNECTION_UNBLOCKED = AMQP_CONNECTION_UNBLOCKED_METHOD;
static const amqp_flags_t TRASTIENDA_FLAG_CONTENT_TYPE = AMQP_BASIC_CONTENT_TYPE_FLAG;
static const amqp_flags_t TRASTIENDA_FLAG_HEADERS = AMQP_BASIC_HEADERS_FLAG;
static const amqp_flags_t TRASTIENDA_FLAG_DELIVERY_MODE = AMQP_BASIC_DELIVERY_MODE_FLAG;
static const amqp_flags_t TRASTIENDA_FLAG_CORRELATION_ID = AMQP_BASIC_CORRELATION_ID_FLAG;
static const amqp_flags_t TRASTIENDA_FLAG_MESSAGE_ID = AMQP_BASIC_MESSAGE_ID_FLAG;
static const amqp_flags_t TRASTIENDA_FLAG_TIMESTAMP = AMQP_BASIC_TIMESTAMP_FLAG;
static const amqp_flags_t TRASTIENDA_FLAG_TYPE = AMQP_BASIC_TYPE_FLAG;
static const amqp_flags_t TRASTIENDA_FLAG_USER_ID = AMQP_BASIC_USER_ID_FLAG;
static const amqp_flags_t TRASTIENDA_FLAG_APP_ID = AMQP_BASIC_APP_ID_FLAG;
static const amqp_flags_t TRASTIENDA_FLAG_EXPIRATION = AMQP_BASIC_EXPIRATION_FLAG;
#endif
