/* A bounded byte ring of variable-length records ([u32 length][bytes], wrapping).  The bound
 * (limit) is what it may hold; the buffer starts small and doubles when a record does not fit
 * (up to the bound), so an idle queue costs a few KiB, a busy one its high-water mark.  Used
 * for the per-link ACL transmit queue (hci/acl.c) and the per-channel SDU queues of the L2CAP
 * engine and the socket face.  Pure C11. */
#ifndef L2K_RING_H
#define L2K_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct l2k_ring {
	uint8_t *buf;
	size_t cap;   /* bytes allocated in buf */
	size_t limit; /* the bound: bytes (record headers included) it may hold */
	size_t head;  /* read position */
	size_t used;  /* bytes in use (headers included) */
	size_t count; /* records */
};

#define L2K_RING_REC_HDR 4
#define L2K_RING_INITIAL 4096 /* bytes allocated at first (or the bound, when smaller) */

/* A ring bounded to limit bytes.  0 or L2K_ENOMEM. */
int l2k_ring_init(struct l2k_ring *r, size_t limit);
void l2k_ring_free(struct l2k_ring *r);
/* Raise the bound (a lower one is ignored: what is queued stays). */
void l2k_ring_raise_limit(struct l2k_ring *r, size_t limit);
/* Whether a record of n payload bytes fits now. */
static inline bool l2k_ring_fits(const struct l2k_ring *r, size_t n)
{
	return r->limit - r->used >= n + L2K_RING_REC_HDR;
}
/* Payload bytes a new record could hold now. */
static inline size_t l2k_ring_room(const struct l2k_ring *r)
{
	size_t f = r->limit - r->used;
	return f > L2K_RING_REC_HDR ? f - L2K_RING_REC_HDR : 0;
}
/* Append one record made of up to n pieces.  0, L2K_EAGAIN if it does not fit under the bound,
 * or L2K_ENOMEM if the buffer could not grow. */
int l2k_ring_push(struct l2k_ring *r, const uint8_t *const *parts, const size_t *lens, int n);
/* Length of the head record (0 if empty: check count). */
size_t l2k_ring_head_len(const struct l2k_ring *r);
/* Copy n bytes of the head record's payload from offset off. */
void l2k_ring_head_read(const struct l2k_ring *r, size_t off, uint8_t *out, size_t n);
/* Pointers to the payload bytes [off, off+n) of the head record without copying: one or two
 * pieces (two when they wrap).  Returns the number of pieces. */
int l2k_ring_head_peek(const struct l2k_ring *r, size_t off, size_t n, const uint8_t **p1,
		       size_t *n1, const uint8_t **p2, size_t *n2);
/* Drop the head record. */
void l2k_ring_pop(struct l2k_ring *r);
void l2k_ring_clear(struct l2k_ring *r);

#endif
