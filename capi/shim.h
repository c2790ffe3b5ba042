/* Internal declarations shared by the Go exports and the C shim; never installed. */
#ifndef FSMETA_SHIM_H
#define FSMETA_SHIM_H

#include <stddef.h>

/* Copy len bytes of msg into the calling thread's error buffer (truncated to fit). */
void fsmetac_set_error(const char *msg, size_t len);

/* malloc that returns NULL on failure (cgo's C.malloc aborts instead); n 0 allocates 1 byte. */
void *fsmetac_malloc(size_t n);

#endif
