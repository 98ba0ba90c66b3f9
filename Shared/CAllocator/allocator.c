#include "CAllocator.h"
#include <malloc.h>

void trastienda_fix_mmap_threshold(int bytes) { mallopt(M_MMAP_THRESHOLD, bytes); }
