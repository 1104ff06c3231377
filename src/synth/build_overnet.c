/*
 * build_overnet.c - Overnet messages over UDP, as Storm Worm used them
 * (eDonkey2000 Overnet; no RFC: the layout follows the protocol as
 * documented by the KadC and MLDonkey projects and by Holz et al.,
 * "Measurements and Mitigation of Peer-to-Peer-based Botnets: A Case
 * Study on Storm Worm", LEET 2008).
 *
 *   +------+--------+-------------------------------+
 *   | 0xE3 | opcode | body (integers little-endian)  |
 *   +------+--------+-------------------------------+
 *   PEER (23 bytes) = ID(16) | IPv4(4, a.b.c.d order) | UDP port(2 LE) | kind(1)
 *
 *   0x0A connect, 0x0C publicize:  PEER (self)          25 bytes
 *   0x0B connect reply:            count(2) PEER*count
 *   0x0D publicize ack:            (empty)               2 bytes
 *   0x0E search:                   type(1) hash(16)     19 bytes
 *   0x0F search next:              hash(16) count(1) PEER*count
 *   0x10 search info:              hash(16) 0(1) min(2) max(2)   23 bytes
 *   0x11 search result:            hash(16) id(16) ntags(4) tags
 *   0x12 search end:               hash(16) a(2) b(2)   22 bytes
 *   0x13 publish:                  hash(16) id(16) ntags(4) tags
 *   0x14 publish ack:              hash(16)             18 bytes
 *   tag (string, special name)  = 0x02 | namelen(2)=1 | name(1) | len(2) | bytes
 *   tag (dword, special name)   = 0x03 | namelen(2)=1 | name(1) | value(4)
 */
#include <string.h>

#include "synth/build.h"

static size_t hdr(uint8_t *b, uint8_t op)
{
	b[0] = OVERNET_PROTO;
	b[1] = op;
	return 2;
}

static size_t le16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	return 2;
}

static size_t le32(uint8_t *b, uint32_t v)
{
	le16(b, (uint16_t)v);
	le16(b + 2, (uint16_t)(v >> 16));
	return 4;
}

static size_t peer(uint8_t *b, const struct build_ovpeer *p)
{
	memcpy(b, p->id, 16);
	b[16] = (uint8_t)(p->ip >> 24);
	b[17] = (uint8_t)(p->ip >> 16);
	b[18] = (uint8_t)(p->ip >> 8);
	b[19] = (uint8_t)p->ip;
	le16(b + 20, p->port);
	b[22] = p->kind;
	return 23;
}

size_t build_ov_hello(uint8_t *buf, uint8_t op, const struct build_ovpeer *self)
{
	size_t n = hdr(buf, op);
	return n + peer(buf + n, self);
}

/* buf must hold 4 + 23 * n bytes. */
size_t build_ov_connect_reply(uint8_t *buf, const struct build_ovpeer *peers, int n)
{
	size_t k = hdr(buf, OVERNET_CONNECT_REPLY);
	k += le16(buf + k, (uint16_t)n);
	for (int i = 0; i < n; i++)
		k += peer(buf + k, &peers[i]);
	return k;
}

size_t build_ov_bare(uint8_t *buf, uint8_t op)
{
	return hdr(buf, op);
}

size_t build_ov_search(uint8_t *buf, uint8_t type, const uint8_t hash[16])
{
	size_t n = hdr(buf, OVERNET_SEARCH);
	buf[n++] = type;
	memcpy(buf + n, hash, 16);
	return n + 16;
}

/* buf must hold 19 + 23 * n bytes. */
size_t build_ov_search_next(uint8_t *buf, const uint8_t hash[16], const struct build_ovpeer *peers,
			    int n)
{
	size_t k = hdr(buf, OVERNET_SEARCH_NEXT);
	memcpy(buf + k, hash, 16);
	k += 16;
	buf[k++] = (uint8_t)n;
	for (int i = 0; i < n; i++)
		k += peer(buf + k, &peers[i]);
	return k;
}

size_t build_ov_search_info(uint8_t *buf, const uint8_t hash[16], uint16_t min, uint16_t max)
{
	size_t n = hdr(buf, OVERNET_SEARCH_INFO);
	memcpy(buf + n, hash, 16);
	n += 16;
	buf[n++] = 0;
	n += le16(buf + n, min);
	return n + le16(buf + n, max);
}

/* hash, id, then two tags: a file name (special tag 0x01) and a size (0x02). */
static size_t tagged(uint8_t *buf, size_t cap, uint8_t op, const uint8_t hash[16],
		     const uint8_t id[16], const char *name, uint32_t size)
{
	size_t nl = strlen(name);
	if (cap < 2 + 32 + 4 + 6 + nl + 8)
		return 0;
	size_t n = hdr(buf, op);
	memcpy(buf + n, hash, 16);
	memcpy(buf + n + 16, id, 16);
	n += 32;
	n += le32(buf + n, 2);
	buf[n++] = 0x02;
	n += le16(buf + n, 1);
	buf[n++] = 0x01;
	n += le16(buf + n, (uint16_t)nl);
	memcpy(buf + n, name, nl);
	n += nl;
	buf[n++] = 0x03;
	n += le16(buf + n, 1);
	buf[n++] = 0x02;
	return n + le32(buf + n, size);
}

size_t build_ov_search_result(uint8_t *buf, size_t cap, const uint8_t hash[16],
			      const uint8_t id[16], const char *name, uint32_t size)
{
	return tagged(buf, cap, OVERNET_SEARCH_RESULT, hash, id, name, size);
}

size_t build_ov_publish(uint8_t *buf, size_t cap, const uint8_t hash[16], const uint8_t id[16],
			const char *name, uint32_t size)
{
	return tagged(buf, cap, OVERNET_PUBLISH, hash, id, name, size);
}

size_t build_ov_search_end(uint8_t *buf, const uint8_t hash[16], uint16_t a, uint16_t b)
{
	size_t n = hdr(buf, OVERNET_SEARCH_END);
	memcpy(buf + n, hash, 16);
	n += 16;
	n += le16(buf + n, a);
	return n + le16(buf + n, b);
}

size_t build_ov_publish_ack(uint8_t *buf, const uint8_t hash[16])
{
	size_t n = hdr(buf, OVERNET_PUBLISH_ACK);
	memcpy(buf + n, hash, 16);
	return n + 16;
}
