/* A bounded byte ring of variable-length records ([u32 length][bytes], wrapping).  The bound
 * (limit) is what it may hold; the buffer starts small and doubles when a record does not fit
 * (up to the bound), so an idle queue costs a few KiB, a busy one its high-water mark.  Used
 * for the per-link ACL transmit queue (hci/acl.c) and the per-channel SDU queues of the L2CAP
 * engine and the socket face.  Pure C11. */
#ifndef BASE_RING_H
#define BASE_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ring {
	uint8_t *buf;
	size_t cap;   /* bytes allocated in buf */
	size_t limit; /* the bound: bytes (record headers included) it may hold */
	size_t head;  /* read position */
	size_t used;  /* bytes in use (headers included) */
	size_t count; /* records */
};

#define RING_REC_HDR 4
#define RING_INITIAL 4096 /* bytes allocated at first (or the bound, when smaller) */

/* A ring bounded to limit bytes.  0 or L2K_ENOMEM. */
int ring_init(struct ring *r, size_t limit);
void ring_free(struct ring *r);
/* Raise the bound (a lower one is ignored: what is queued stays). */
void ring_raise_limit(struct ring *r, size_t limit);
/* Whether a record of n payload bytes fits now. */
static inline bool ring_fits(const struct ring *r, size_t n)
{
	return r->limit - r->used >= n + RING_REC_HDR;
}
/* Payload bytes a new record could hold now. */
static inline size_t ring_room(const struct ring *r)
{
	size_t f = r->limit - r->used;
	return f > RING_REC_HDR ? f - RING_REC_HDR : 0;
}
/* Append one record made of up to n pieces.  0, L2K_EAGAIN if it does not fit under the bound,
 * or L2K_ENOMEM if the buffer could not grow. */
int ring_push(struct ring *r, const uint8_t *const *parts, const size_t *lens, int n);
/* Length of the head record (0 if empty: check count). */
size_t ring_head_len(const struct ring *r);
/* Copy n bytes of the head record's payload from offset off. */
void ring_head_read(const struct ring *r, size_t off, uint8_t *out, size_t n);
/* Pointers to the payload bytes [off, off+n) of the head record without copying: one or two
 * pieces (two when they wrap).  Returns the number of pieces. */
int ring_head_peek(const struct ring *r, size_t off, size_t n, const uint8_t **p1,
		       size_t *n1, const uint8_t **p2, size_t *n2);
/* Drop the head record. */
void ring_pop(struct ring *r);
void ring_clear(struct ring *r);

/* Conveniences for records of two pieces (a header and a body):
 * append a then b as one record (either may be empty): 0, L2K_EAGAIN (full), L2K_ENOMEM; */
int ring_push2(struct ring *r, const void *a, size_t alen, const void *b, size_t blen);
/* copy the head record (at most cap octets) to out and return its full length (0: empty); */
size_t ring_peek_copy(const struct ring *r, void *out, size_t cap);
/* records of a type octet then a packet (the transports' queues of H4 packets): the head's type
 * and the packet's length (the packet is ring_head_read(r, 1, out, len)). */
size_t ring_head_type(const struct ring *r, uint8_t *type);
/* keep only the records for which keep() says true, in order (O(queue); records longer than
 * scratch_cap are dropped). */
void ring_filter(struct ring *r, bool (*keep)(void *arg, const uint8_t *rec, size_t len), void *arg,
		 uint8_t *scratch, size_t scratch_cap);

#endif
