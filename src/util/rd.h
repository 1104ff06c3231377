/*
 * rd.h - the one bounds-checked reader for untrusted bytes.
 *
 * Every byte of a capture file, packet or report is read through a
 * struct rd.  Invariant: p points at `left` readable bytes.  Every
 * accessor checks `n > left` (never `p + n > end`, which can overflow)
 * and returns false without moving when the bytes are not there, so a
 * decoder can tell "truncated" from "invalid" and never reads past the
 * buffer.  Wire bytes are assembled byte by byte: no casts onto structs,
 * no alignment or endianness assumptions.
 */
#ifndef BOTLENS_RD_H
#define BOTLENS_RD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct rd {
	const uint8_t *p;
	size_t left;
};

static inline void rd_init(struct rd *r, const void *p, size_t n)
{
	r->p = p;
	r->left = n;
}

static inline bool rd_has(const struct rd *r, size_t n) { return n <= r->left; }

static inline bool rd_skip(struct rd *r, size_t n)
{
	if (n > r->left)
		return false;
	r->p += n;
	r->left -= n;
	return true;
}

/* Points *out at the next n bytes and consumes them. */
static inline bool rd_bytes(struct rd *r, size_t n, const uint8_t **out)
{
	if (n > r->left)
		return false;
	*out = r->p;
	r->p += n;
	r->left -= n;
	return true;
}

static inline bool rd_copy(struct rd *r, void *dst, size_t n)
{
	if (n > r->left)
		return false;
	memcpy(dst, r->p, n);
	r->p += n;
	r->left -= n;
	return true;
}

/* Splits off the next n bytes as their own reader. */
static inline bool rd_sub(struct rd *r, size_t n, struct rd *sub)
{
	if (n > r->left)
		return false;
	rd_init(sub, r->p, n);
	r->p += n;
	r->left -= n;
	return true;
}

static inline bool rd_u8(struct rd *r, uint8_t *v)
{
	if (r->left < 1)
		return false;
	*v = r->p[0];
	r->p++;
	r->left--;
	return true;
}

static inline bool rd_be16(struct rd *r, uint16_t *v)
{
	if (r->left < 2)
		return false;
	*v = (uint16_t)((unsigned)r->p[0] << 8 | r->p[1]);
	r->p += 2;
	r->left -= 2;
	return true;
}

static inline bool rd_le16(struct rd *r, uint16_t *v)
{
	if (r->left < 2)
		return false;
	*v = (uint16_t)((unsigned)r->p[1] << 8 | r->p[0]);
	r->p += 2;
	r->left -= 2;
	return true;
}

static inline bool rd_be32(struct rd *r, uint32_t *v)
{
	if (r->left < 4)
		return false;
	*v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 |
	     (uint32_t)r->p[2] << 8 | r->p[3];
	r->p += 4;
	r->left -= 4;
	return true;
}

static inline bool rd_le32(struct rd *r, uint32_t *v)
{
	if (r->left < 4)
		return false;
	*v = (uint32_t)r->p[3] << 24 | (uint32_t)r->p[2] << 16 |
	     (uint32_t)r->p[1] << 8 | r->p[0];
	r->p += 4;
	r->left -= 4;
	return true;
}

/* Byte-order-parametrised reads, for formats that declare their order. */
static inline bool rd_u16o(struct rd *r, bool big, uint16_t *v)
{
	return big ? rd_be16(r, v) : rd_le16(r, v);
}

static inline bool rd_u32o(struct rd *r, bool big, uint32_t *v)
{
	return big ? rd_be32(r, v) : rd_le32(r, v);
}

/* Peeks without consuming. */
static inline bool rd_peek_u8(const struct rd *r, size_t off, uint8_t *v)
{
	if (off >= r->left)
		return false;
	*v = r->p[off];
	return true;
}

static inline bool rd_peek_be16(const struct rd *r, size_t off, uint16_t *v)
{
	if (r->left < 2 || off > r->left - 2)
		return false;
	*v = (uint16_t)((unsigned)r->p[off] << 8 | r->p[off + 1]);
	return true;
}

#endif
