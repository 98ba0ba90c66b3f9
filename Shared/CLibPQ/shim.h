#ifndef TRASTIENDA_CLIBPQ_SHIM_H
#define TRASTIENDA_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
