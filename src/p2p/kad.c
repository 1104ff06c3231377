/*
 * kad.c - Kademlia IDs and one node's routing table, as Overnet uses
 * them (Maymounkov & Mazieres 2002; mldonkey overnet.txt II.1): the
 * distance of two 128-bit IDs is their XOR, compared lexicographically.
 *
 * Invariants of struct kad_table: c[0..n) are distinct IDs, none equal
 * to self; per bucket (kad_bucket(self, id)) at most KAD_K contacts.  The
 * table is a flat array (about 100 contacts for 10^4 nodes), so lookups
 * scan it: cheaper in memory than 128 fixed buckets per simulated node.
 */
#include <stdlib.h>
#include <string.h>

#include "p2p/p2p.h"

int kad_bucket(const uint8_t a[OV_IDLEN], const uint8_t b[OV_IDLEN])
{
	for (int i = 0; i < OV_IDLEN; i++) {
		uint8_t x = a[i] ^ b[i];
		if (x) {
			int bit = 0;
			while (!(x & 0x80)) {
				x <<= 1;
				bit++;
			}
			return i * 8 + bit;
		}
	}
	return -1;
}

int kad_cmp(const uint8_t target[OV_IDLEN], const uint8_t a[OV_IDLEN], const uint8_t b[OV_IDLEN])
{
	for (int i = 0; i < OV_IDLEN; i++) {
		uint8_t da = a[i] ^ target[i], db = b[i] ^ target[i];
		if (da != db)
			return da < db ? -1 : 1;
	}
	return 0;
}

void kad_init(struct kad_table *t, const uint8_t self[OV_IDLEN])
{
	memcpy(t->self, self, OV_IDLEN);
	t->c = NULL;
	t->n = t->cap = 0;
}

void kad_free(struct kad_table *t)
{
	free(t->c);
	t->c = NULL;
	t->n = t->cap = 0;
}

/*
 * Inserts p or refreshes it (same ID: new address, new time).  When the
 * bucket is full the least recently seen contact gives way: unlike
 * Kademlia we do not ping it first, which keeps the simulator free of
 * per-contact timers; stale contacts still linger, as in real tables.
 */
bool kad_insert(struct kad_table *t, const struct ov_peer *p, uint32_t now)
{
	int b = kad_bucket(t->self, p->id);
	if (b < 0)
		return true;
	unsigned inb = 0, oldest = 0;
	uint32_t oldest_seen = UINT32_MAX;
	for (unsigned i = 0; i < t->n; i++) {
		if (!memcmp(t->c[i].p.id, p->id, OV_IDLEN)) {
			t->c[i].p = *p;
			t->c[i].seen = now;
			return true;
		}
		if (t->c[i].bucket == b) {
			inb++;
			if (t->c[i].seen < oldest_seen) {
				oldest_seen = t->c[i].seen;
				oldest = i;
			}
		}
	}
	if (inb >= KAD_K) {
		t->c[oldest].p = *p;
		t->c[oldest].seen = now;
		return true;
	}
	if (t->n == t->cap) {
		unsigned nc = t->cap ? t->cap * 2u : 16u;
		if (nc > UINT16_MAX)
			return false;
		struct kad_contact *c = realloc(t->c, nc * sizeof *c);
		if (!c)
			return false;
		t->c = c;
		t->cap = (uint16_t)nc;
	}
	t->c[t->n].p = *p;
	t->c[t->n].seen = now;
	t->c[t->n].bucket = (uint8_t)b;
	t->n++;
	return true;
}

/* Insertion into a sorted array of at most n: fine for n <= 32. */
unsigned kad_closest(const struct kad_table *t, const uint8_t target[OV_IDLEN], struct ov_peer *out,
		     unsigned n)
{
	unsigned k = 0;
	for (unsigned i = 0; i < t->n; i++) {
		const struct ov_peer *p = &t->c[i].p;
		unsigned j = k < n ? k : n;
		if (j == n && kad_cmp(target, p->id, out[n - 1].id) >= 0)
			continue;
		if (j == n)
			j--;
		while (j > 0 && kad_cmp(target, p->id, out[j - 1].id) < 0) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = *p;
		if (k < n)
			k++;
	}
	return k;
}

void kad_rekey(struct kad_table *t, const uint8_t self[OV_IDLEN], uint32_t now)
{
	struct kad_table nt;
	kad_init(&nt, self);
	for (unsigned i = 0; i < t->n; i++)
		kad_insert(&nt, &t->c[i].p, t->c[i].seen);
	(void)now;
	kad_free(t);
	*t = nt;
}

void kad_id_hex(const uint8_t id[OV_IDLEN], char out[2 * OV_IDLEN + 1])
{
	static const char hx[] = "0123456789abcdef";
	for (int i = 0; i < OV_IDLEN; i++) {
		out[2 * i] = hx[id[i] >> 4];
		out[2 * i + 1] = hx[id[i] & 15];
	}
	out[2 * OV_IDLEN] = 0;
}

bool kad_id_parse(const char *hex, uint8_t id[OV_IDLEN])
{
	for (int i = 0; i < OV_IDLEN; i++) {
		uint8_t v = 0;
		for (int k = 0; k < 2; k++) {
			char c = hex[2 * i + k];
			int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
			if (d < 0)
				return false;
			v = (uint8_t)(v << 4 | d);
		}
		id[i] = v;
	}
	return hex[2 * OV_IDLEN] == 0;
}
