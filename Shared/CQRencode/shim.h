#ifndef TRASTIENDA_CQRENCODE_SHIM_H
#define TRASTIENDA_CQRENCODE_SHIM_H
#include <qrencode.h>
#endif
