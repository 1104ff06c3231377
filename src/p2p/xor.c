/*
 * xor.c - the Storm Worm variant of Overnet: every datagram XORed with a
 * 40-byte key, enc[i] = pkt[i] ^ key[i % 40] (Holz et al., LEET 2008;
 * Storm's encrypted sub-networks each had their own key).
 *
 * Key recovery is known-plaintext voting.  A datagram's length alone
 * names its opcode for most messages (Search is always 19 bytes,
 * SearchInfo 23, a ConnectReply 4 + 23n...), and with it some body bytes:
 * the peer count of a ConnectReply or SearchNext, the zero kind byte of
 * each peer record, the sender's IPv4 and port inside a Connect or
 * Publicize (visible in the IP/UDP headers).  Each known plaintext byte
 * at offset i votes for key[i % 40] = enc[i] ^ plain; a key byte is
 * "known" when its best candidate has at least 3 votes and twice the
 * runner-up's.  Since gcd(23, 40) = 1, peer records of a long reply land
 * on every residue, so replies alone can recover the whole key.
 */
#include <string.h>

#include "p2p/p2p.h"

void ov_xor(uint8_t *buf, size_t n, const uint8_t key[OV_XOR_KEYLEN])
{
	for (size_t i = 0; i < n; i++)
		buf[i] ^= key[i % OV_XOR_KEYLEN];
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool ov_xor_parse(const char *hex, uint8_t key[OV_XOR_KEYLEN])
{
	if (strlen(hex) != 2 * OV_XOR_KEYLEN)
		return false;
	for (int i = 0; i < OV_XOR_KEYLEN; i++) {
		int h = hexval(hex[2 * i]), l = hexval(hex[2 * i + 1]);
		if (h < 0 || l < 0)
			return false;
		key[i] = (uint8_t)(h << 4 | l);
	}
	return true;
}

void ov_xor_format(const uint8_t key[OV_XOR_KEYLEN], char out[2 * OV_XOR_KEYLEN + 1])
{
	static const char hx[] = "0123456789abcdef";
	for (int i = 0; i < OV_XOR_KEYLEN; i++) {
		out[2 * i] = hx[key[i] >> 4];
		out[2 * i + 1] = hx[key[i] & 15];
	}
	out[2 * OV_XOR_KEYLEN] = 0;
}

/* votes[i][v]: plaintext-derived candidates for key byte i */
typedef unsigned vote_t[OV_XOR_KEYLEN][256];

static void vote(vote_t v, const struct ov_sample *s, size_t off, uint8_t plain)
{
	if (off < s->len)
		v[off % OV_XOR_KEYLEN][s->data[off] ^ plain]++;
}

/* Opcode implied by a length, or 0 when the length is ambiguous. */
static uint8_t op_of_len(size_t len)
{
	switch (len) {
	case 19: return OV_SEARCH;
	case 23: return OV_SEARCH_INFO;
	case 18: return OV_PUBLISH_ACK;
	case 24: return OV_IDENTIFY_REPLY;
	default: break;
	}
	if (len >= 27 && (len - 4) % 23 == 0 && (len - 4) / 23 > 1)
		return OV_CONNECT_REPLY;
	if (len >= 42 && (len - 19) % 23 == 0)
		return OV_SEARCH_NEXT;
	return 0;
}

static void vote_peers(vote_t v, const struct ov_sample *s, size_t first, size_t n)
{
	for (size_t k = 0; k < n; k++)
		vote(v, s, first + k * OV_PEERLEN + 22, 0);  /* kind byte */
}

static void vote_sample(vote_t v, const struct ov_sample *s)
{
	vote(v, s, 0, OV_MAGIC);
	uint8_t op = op_of_len(s->len);
	if (s->len == 25 && s->src_ip) {
		/* Connect or Publicize from the sender itself: its own address. */
		for (int b = 0; b < 4; b++)
			vote(v, s, 18 + (size_t)b, (uint8_t)(s->src_ip >> (24 - 8 * b)));
		vote(v, s, 22, (uint8_t)s->src_port);
		vote(v, s, 23, (uint8_t)(s->src_port >> 8));
		vote(v, s, 24, 0);
		return;
	}
	if (!op)
		return;
	vote(v, s, 1, op);
	if (op == OV_CONNECT_REPLY) {
		size_t n = (s->len - 4) / 23;
		vote(v, s, 2, (uint8_t)n);
		vote(v, s, 3, (uint8_t)(n >> 8));
		vote_peers(v, s, 4, n);
	} else if (op == OV_SEARCH_NEXT) {
		size_t n = (s->len - 19) / 23;
		vote(v, s, 18, (uint8_t)n);
		vote_peers(v, s, 19, n);
	}
}

bool ov_xor_candidate(size_t len, uint16_t sport, uint16_t dport)
{
	return len >= 2 && len <= OV_SAMPLE_MAX && sport >= 1024 && dport >= 1024;
}

void ov_xor_recover(const struct ov_sample *s, size_t n, struct ov_keyguess *g)
{
	static vote_t v;  /* 40 KB; not reentrant, fine for the CLI and tests */
	memset(&v, 0, sizeof v);
	memset(g, 0, sizeof *g);
	for (size_t i = 0; i < n; i++)
		vote_sample(v, &s[i]);
	for (int i = 0; i < OV_XOR_KEYLEN; i++) {
		unsigned best = 0, second = 0;
		int bv = 0;
		for (int c = 0; c < 256; c++) {
			if (v[i][c] > best) {
				second = best;
				best = v[i][c];
				bv = c;
			} else if (v[i][c] > second) {
				second = v[i][c];
			}
		}
		g->key[i] = (uint8_t)bv;
		g->votes[i] = best;
		if (best >= 3 && best >= 2 * second)
			g->known |= 1ull << i;
	}
	size_t ok = 0;
	uint8_t buf[2048];
	for (size_t i = 0; i < n; i++) {
		size_t len = s[i].len < sizeof buf ? s[i].len : sizeof buf;
		struct ov_msg m;
		memcpy(buf, s[i].data, len);
		ov_xor(buf, len, g->key);
		if (ov_decode(buf, len, &m) == OV_OK)
			ok++;
	}
	g->decode_rate = n ? (double)ok / (double)n : 0;
}
