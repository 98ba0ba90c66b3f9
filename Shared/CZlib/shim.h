#ifndef TRASTIENDA_CZLIB_SHIM_H
#define TRASTIENDA_CZLIB_SHIM_H
#include <zlib.h>
#endif
