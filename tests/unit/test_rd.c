/*
 * test_rd.c - the checked reader (src/util/rd.h).
 *
 * Every accessor is tried with exactly enough bytes (succeeds, consumes
 * exactly its size) and one byte short (fails, reader unchanged), plus
 * byte order, sub-readers, peeks, and lengths near SIZE_MAX, which a
 * `p + n > end` check would get wrong.
 */
#include "harness.h"
#include "util/rd.h"

#include <stdint.h>

static const uint8_t B[8] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08 };

/* True when r still points at base with `left` bytes: "did not move". */
static int unmoved(const struct rd *r, const uint8_t *base, size_t left)
{
	return r->p == base && r->left == left;
}

static void test_init_has(void)
{
	TEST("init/has");
	struct rd r;
	rd_init(&r, B, 8);
	CHECK(r.p == B && r.left == 8);
	CHECK(rd_has(&r, 0));
	CHECK(rd_has(&r, 8));
	CHECK(!rd_has(&r, 9));
	CHECK(!rd_has(&r, SIZE_MAX));
	rd_init(&r, NULL, 0);
	CHECK(rd_has(&r, 0));
	CHECK(!rd_has(&r, 1));
}

static void test_u8(void)
{
	TEST("u8");
	struct rd r;
	uint8_t v = 0xee;
	rd_init(&r, B, 1);
	CHECK(rd_u8(&r, &v));
	CHECK_EQ_U(v, 0x01);
	CHECK(unmoved(&r, B + 1, 0));
	v = 0xee;
	CHECK(!rd_u8(&r, &v));
	CHECK_EQ_U(v, 0xee);  /* output untouched on failure */
	CHECK(unmoved(&r, B + 1, 0));
}

static void test_16(void)
{
	TEST("be16/le16");
	struct rd r;
	uint16_t v = 0xeeee;
	rd_init(&r, B, 2);
	CHECK(rd_be16(&r, &v));
	CHECK_EQ_U(v, 0x0102);
	CHECK(unmoved(&r, B + 2, 0));
	rd_init(&r, B, 2);
	CHECK(rd_le16(&r, &v));
	CHECK_EQ_U(v, 0x0201);
	CHECK(unmoved(&r, B + 2, 0));
	/* one byte short */
	rd_init(&r, B, 1);
	v = 0xeeee;
	CHECK(!rd_be16(&r, &v));
	CHECK(!rd_le16(&r, &v));
	CHECK_EQ_U(v, 0xeeee);
	CHECK(unmoved(&r, B, 1));
	/* high bit set: no sign extension */
	static const uint8_t hi[2] = { 0xff, 0x80 };
	rd_init(&r, hi, 2);
	CHECK(rd_be16(&r, &v));
	CHECK_EQ_U(v, 0xff80);
	rd_init(&r, hi, 2);
	CHECK(rd_le16(&r, &v));
	CHECK_EQ_U(v, 0x80ff);
}

static void test_32(void)
{
	TEST("be32/le32");
	struct rd r;
	uint32_t v = 0xeeeeeeee;
	rd_init(&r, B, 4);
	CHECK(rd_be32(&r, &v));
	CHECK_EQ_U(v, 0x01020304);
	CHECK(unmoved(&r, B + 4, 0));
	rd_init(&r, B, 4);
	CHECK(rd_le32(&r, &v));
	CHECK_EQ_U(v, 0x04030201);
	rd_init(&r, B, 3);
	v = 0xeeeeeeee;
	CHECK(!rd_be32(&r, &v));
	CHECK(!rd_le32(&r, &v));
	CHECK_EQ_U(v, 0xeeeeeeee);
	CHECK(unmoved(&r, B, 3));
	static const uint8_t hi[4] = { 0xff, 0xfe, 0xfd, 0x80 };
	rd_init(&r, hi, 4);
	CHECK(rd_be32(&r, &v));
	CHECK_EQ_U(v, 0xfffefd80u);
	rd_init(&r, hi, 4);
	CHECK(rd_le32(&r, &v));
	CHECK_EQ_U(v, 0x80fdfeffu);
}

static void test_ordered(void)
{
	TEST("u16o/u32o");
	struct rd r;
	uint16_t a;
	uint32_t b;
	rd_init(&r, B, 6);
	CHECK(rd_u16o(&r, true, &a));
	CHECK_EQ_U(a, 0x0102);
	CHECK(rd_u32o(&r, false, &b));
	CHECK_EQ_U(b, 0x06050403);
	CHECK(unmoved(&r, B + 6, 0));
	rd_init(&r, B, 6);
	CHECK(rd_u16o(&r, false, &a));
	CHECK_EQ_U(a, 0x0201);
	CHECK(rd_u32o(&r, true, &b));
	CHECK_EQ_U(b, 0x03040506);
	rd_init(&r, B, 3);
	CHECK(!rd_u32o(&r, true, &b));
	CHECK(!rd_u32o(&r, false, &b));
	CHECK(unmoved(&r, B, 3));
	rd_init(&r, B, 1);
	CHECK(!rd_u16o(&r, true, &a));
	CHECK(!rd_u16o(&r, false, &a));
	CHECK(unmoved(&r, B, 1));
}

static void test_skip_bytes_copy(void)
{
	TEST("skip/bytes/copy");
	struct rd r;
	rd_init(&r, B, 8);
	CHECK(rd_skip(&r, 0));
	CHECK(unmoved(&r, B, 8));
	CHECK(!rd_skip(&r, 9));
	CHECK(unmoved(&r, B, 8));
	/* a length that would wrap p + n must still fail */
	CHECK(!rd_skip(&r, SIZE_MAX));
	CHECK(!rd_skip(&r, SIZE_MAX - 3));
	CHECK(unmoved(&r, B, 8));
	CHECK(rd_skip(&r, 8));
	CHECK(unmoved(&r, B + 8, 0));

	const uint8_t *o = NULL;
	rd_init(&r, B, 8);
	CHECK(rd_bytes(&r, 3, &o));
	CHECK(o == B);
	CHECK(unmoved(&r, B + 3, 5));
	o = NULL;
	CHECK(!rd_bytes(&r, 6, &o));
	CHECK(o == NULL);
	CHECK(!rd_bytes(&r, SIZE_MAX, &o));
	CHECK(unmoved(&r, B + 3, 5));
	CHECK(rd_bytes(&r, 5, &o));
	CHECK(o == B + 3);
	CHECK(unmoved(&r, B + 8, 0));

	uint8_t dst[8] = { 0 };
	rd_init(&r, B, 8);
	CHECK(rd_copy(&r, dst, 8));
	CHECK(memcmp(dst, B, 8) == 0);
	CHECK(unmoved(&r, B + 8, 0));
	rd_init(&r, B, 7);
	memset(dst, 0xaa, sizeof dst);
	CHECK(!rd_copy(&r, dst, 8));
	CHECK(dst[0] == 0xaa && dst[7] == 0xaa);
	CHECK(unmoved(&r, B, 7));
}

static void test_sub(void)
{
	TEST("sub");
	struct rd r, s;
	rd_init(&r, B, 8);
	CHECK(rd_sub(&r, 3, &s));
	CHECK(s.p == B && s.left == 3);
	CHECK(unmoved(&r, B + 3, 5));
	/* the sub-reader is bounded by its own length */
	uint32_t v;
	CHECK(!rd_be32(&s, &v));
	uint16_t w;
	CHECK(rd_be16(&s, &w));
	CHECK_EQ_U(w, 0x0102);
	uint8_t b;
	CHECK(rd_u8(&s, &b));
	CHECK_EQ_U(b, 3);
	CHECK(!rd_u8(&s, &b));
	/* the parent continues after the split */
	CHECK(rd_u8(&r, &b));
	CHECK_EQ_U(b, 4);
	/* too long: fails, nothing moves, sub untouched */
	struct rd s2 = { (const uint8_t *)1, 77 };
	rd_init(&r, B, 4);
	CHECK(!rd_sub(&r, 5, &s2));
	CHECK(s2.p == (const uint8_t *)1 && s2.left == 77);
	CHECK(!rd_sub(&r, SIZE_MAX, &s2));
	CHECK(unmoved(&r, B, 4));
	/* exact length and zero length */
	CHECK(rd_sub(&r, 4, &s2));
	CHECK(s2.p == B && s2.left == 4);
	CHECK(unmoved(&r, B + 4, 0));
	CHECK(rd_sub(&r, 0, &s2));
	CHECK(s2.left == 0);
}

static void test_peek(void)
{
	TEST("peek");
	struct rd r;
	uint8_t b = 0xee;
	uint16_t w = 0xeeee;
	rd_init(&r, B, 4);
	CHECK(rd_peek_u8(&r, 0, &b));
	CHECK_EQ_U(b, 1);
	CHECK(rd_peek_u8(&r, 3, &b));
	CHECK_EQ_U(b, 4);
	b = 0xee;
	CHECK(!rd_peek_u8(&r, 4, &b));
	CHECK(!rd_peek_u8(&r, SIZE_MAX, &b));
	CHECK_EQ_U(b, 0xee);
	CHECK(rd_peek_be16(&r, 0, &w));
	CHECK_EQ_U(w, 0x0102);
	CHECK(rd_peek_be16(&r, 2, &w));  /* last two bytes exactly */
	CHECK_EQ_U(w, 0x0304);
	w = 0xeeee;
	CHECK(!rd_peek_be16(&r, 3, &w));
	CHECK(!rd_peek_be16(&r, SIZE_MAX, &w));
	CHECK(!rd_peek_be16(&r, SIZE_MAX - 1, &w));
	CHECK_EQ_U(w, 0xeeee);
	CHECK(unmoved(&r, B, 4));  /* peeks never consume */
	rd_init(&r, B, 1);
	CHECK(!rd_peek_be16(&r, 0, &w));
	rd_init(&r, B, 0);
	CHECK(!rd_peek_be16(&r, 0, &w));
	CHECK(!rd_peek_u8(&r, 0, &b));
}

static void test_sequence(void)
{
	TEST("sequence");
	/* a header read field by field ends exactly at the end */
	struct rd r;
	uint8_t a = 0;
	uint16_t b = 0;
	uint32_t c = 0;
	rd_init(&r, B, 7);
	CHECK(rd_u8(&r, &a) && rd_be16(&r, &b) && rd_le32(&r, &c));
	CHECK_EQ_U(a, 0x01);
	CHECK_EQ_U(b, 0x0203);
	CHECK_EQ_U(c, 0x07060504);
	CHECK_EQ_U(r.left, 0);
	CHECK(!rd_u8(&r, &a));
}

int main(void)
{
	test_init_has();
	test_u8();
	test_16();
	test_32();
	test_ordered();
	test_skip_bytes_copy();
	test_sub();
	test_peek();
	test_sequence();
	return harness_report("rd");
}
