#ifndef TRASTIENDA_CALLOCATOR_H
#define TRASTIENDA_CALLOCATOR_H

/// Fixes glibc's mmap threshold at `bytes` (which also stops glibc from raising it as large blocks are freed).
void trastienda_fix_mmap_threshold(int bytes);

#endif
