/*
 * proto_ssh.c - SSH (RFC 4253): each side's identification string and
 * the binary packets of the first key exchange, which travel in clear
 * until each side's SSH_MSG_NEWKEYS:
 *
 *   identification: "SSH-" protoversion "-" softwareversion [SP comments] CR LF
 *   packet: packet_length(4) padding_length(1) payload(packet_length -
 *           padding_length - 1) padding(padding_length)   (no MAC yet)
 *   payload: msg(1) ...    20 KEXINIT, 30-49 the method's messages, 21 NEWKEYS
 *
 * What follows a side's NEWKEYS is encrypted: the client's authentication
 * requests, then the session.  A connection whose client sent NEWKEYS and
 * then encrypted bytes went past the key exchange (RPF_SSH_KEX): a login
 * was tried.  A version scanner or a client that gives up stops before.
 * rf->count and rf->count2 keep the client's and the server's bytes up to
 * the end of their NEWKEYS (at most 65535), so that bytes[d] minus them is
 * the encrypted part: a refused password is a few hundred bytes, a
 * session far more.
 *
 * The flow is claimed by a first segment of either side that starts with
 * "SSH-1." or "SSH-2." (any port: SSH on 2222 is SSH).  The originator is
 * taken as the client.  Evidence: the client's identification string
 * (without "SSH-2.0-") under the client (EV_SSH_CLIENT: libssh, paramiko,
 * Go's x/crypto are the usual bots' clients), the server's under the
 * server (EV_SSH_SERVER).
 *
 * State (rp_state_*): per direction the next TCP sequence number and the
 * position in the packet stream.  A direction ends (rf->done) after its
 * NEWKEYS; on a gap in the sequence numbers, bytes cut by the snap
 * length, SSH-1 or a packet header that is not SSH-2's, it ends with
 * RPF_SSH_LOST (the exchange was not followed: no judgement from it); so
 * does a client direction whose packet budget (SSH_MAX_PKTS payload
 * packets) ran out before its NEWKEYS.  RPF_SSH_IDENT: the parser
 * read an identification string (flows nDPI alone names SSH lack it).
 */
#include <stdlib.h>
#include <string.h>

#include "analysis/report-int.h"
#include "util/rd.h"

enum { SSH_MSG_KEXINIT = 20, SSH_MSG_NEWKEYS = 21 };
#define SSH_PKT_MAX 35000u      /* RFC 4253 6.1: implementations must accept 35000 bytes */

struct ssh_dir {
	uint32_t next;              /* TCP sequence number of the next byte */
	uint32_t off;               /* stream bytes taken so far */
	uint32_t skip;              /* bytes of the current packet still to pass */
	uint8_t hdr[6], nhdr;       /* the current packet's first bytes, across segments */
	uint8_t npkt;               /* clear packets seen (at most 255 counted) */
	bool started;
};

struct ssh_st {
	struct ssh_dir d[2];
};

/* "SSH-1." or "SSH-2." at p: an identification string begins. */
static bool ssh_ident_start(const uint8_t *p, size_t n)
{
	return n >= 6 && !memcmp(p, "SSH-", 4) && (p[4] == '1' || p[4] == '2') && p[5] == '.';
}

/* Ends direction d: NEWKEYS seen (lost false) or the stream not followed. */
static void ssh_dir_end(struct rp_flow *rf, int d, bool lost)
{
	rf->done |= (uint8_t)(1u << d);
	if (lost)
		rf->facts |= RPF_SSH_LOST;
}

/* Records the identification line at r (without CR LF) and consumes it;
 * false when no whole line is there or it is not SSH-2 (or 1.99). */
static bool ssh_ident(struct rp_col *c, struct rp_flow *rf, int d, struct rd *r, uint32_t *off)
{
	size_t n = rp_line(r->p, r->left);
	if (n == r->left || n > 255)
		return false;   /* no line end in the first segment */
	const uint8_t *l = r->p;
	size_t left = r->left;
	bool v2 = rp_starts_ci(l, n, "SSH-2.0-") || rp_starts_ci(l, n, "SSH-1.99-");
	size_t pre = rp_starts_ci(l, n, "SSH-2.0-") ? 8 : rp_starts_ci(l, n, "SSH-1.99-") ? 9 : 4;
	if (n > pre)
		rp_ev_add(c, rf->h[d], d == 0 ? EV_SSH_CLIENT : EV_SSH_SERVER, l + pre, n - pre);
	rf->facts |= RPF_SSH_IDENT;
	rd_skip(r, n);
	if (r->left && r->p[0] == '\r')
		rd_skip(r, 1);
	if (r->left && r->p[0] == '\n')
		rd_skip(r, 1);
	return v2 && (*off = (uint32_t)(left - r->left), true);
}

/*
 * Walks the clear packets at r for direction d.  True while the direction
 * goes on; false when it ended (NEWKEYS, or a header that is no SSH-2
 * packet's).
 */
static bool ssh_packets(struct rp_flow *rf, struct ssh_dir *sd, int d, struct rd *r)
{
	while (r->left) {
		if (sd->skip) {
			size_t k = sd->skip < r->left ? sd->skip : r->left;
			rd_skip(r, k);
			sd->skip -= (uint32_t)k;
			sd->off += (uint32_t)k;
			if (!sd->skip && sd->hdr[5] == SSH_MSG_NEWKEYS) {
				uint16_t clear = sd->off > 0xffff ? 0xffff : (uint16_t)sd->off;
				if (d == 0)
					rf->count = clear;
				else
					rf->count2 = clear;
				rf->facts |= d == 0 ? RPF_SSH_NEWKEYS_C : RPF_SSH_NEWKEYS_S;
				ssh_dir_end(rf, d, false);
				return false;
			}
			continue;
		}
		while (sd->nhdr < sizeof sd->hdr && r->left) {
			sd->hdr[sd->nhdr++] = r->p[0];
			rd_skip(r, 1);
			sd->off++;
		}
		if (sd->nhdr < sizeof sd->hdr)
			return true;
		uint32_t len = (uint32_t)sd->hdr[0] << 24 | (uint32_t)sd->hdr[1] << 16 | (uint32_t)sd->hdr[2] << 8 |
			       sd->hdr[3];
		uint8_t pad = sd->hdr[4], msg = sd->hdr[5];
		/* the first packet is KEXINIT, then the key exchange's own messages;
		 * lengths as RFC 4253 section 6 bounds them */
		if (len < 12 || len > SSH_PKT_MAX || pad < 4 || (uint32_t)pad + 1 >= len ||
		    (!sd->npkt && msg != SSH_MSG_KEXINIT) || msg < 20 || msg > 49) {
			ssh_dir_end(rf, d, true);
			return false;
		}
		sd->skip = len - 2;   /* the header's padding_length and msg are taken */
		sd->nhdr = 0;
		sd->npkt += sd->npkt < 255;
	}
	return true;
}

/* Takes the bytes of segment s that follow direction sd's stream in order
 * into r; false on a gap or a cut (the direction is lost). */
static bool ssh_in_order(struct ssh_dir *sd, const struct rp_seg *s, struct rd *r)
{
	rd_init(r, s->p, s->n);
	if (!sd->started) {
		sd->started = true;
		sd->next = s->seq;
	}
	uint32_t ahead = s->seq - sd->next;     /* mod 2^32 */
	if (ahead && ahead < 0x80000000u)
		return false;                       /* bytes missing before this segment */
	uint32_t old = sd->next - s->seq;       /* bytes already taken (a retransmission) */
	if (!rd_skip(r, old))
		rd_init(r, s->p, 0);
	if (s->n < s->wire)
		return false;
	sd->next += (uint32_t)r->left;
	return true;
}

static void ssh_free(void *p)
{
	free(p);
}

/* The direction's state, made on its first SSH segment; NULL without room. */
static struct ssh_st *ssh_state(struct rp_col *c, const struct rp_seg *s)
{
	struct ssh_st *st = rp_state_get(c, s->idx);
	if (st)
		return st;
	if (!(st = calloc(1, sizeof *st))) {
		c->oom = true;
		return NULL;
	}
	if (!rp_state_put(c, s->idx, st, sizeof *st, ssh_free)) {
		free(st);
		return NULL;
	}
	return st;
}

/*
 * On a flow not yet known, true when segment s begins an identification
 * string.  On an SSH flow, each direction's first segment must begin with
 * it; the packets that follow are taken in sequence.  Without room for a
 * state the flow is SSH and its exchange is not followed (RPF_SSH_LOST).
 */
static bool ssh_inspect(struct rp_col *c, struct rp_flow *rf, const struct rp_seg *s)
{
	if (rf->proto != 6 || s->dir < 0 || s->dir > 1)
		return false;
	bool is_ssh = rf->app == RP_APP_SSH;
	struct ssh_st *st = is_ssh ? rp_state_get(c, s->idx) : NULL;
	bool first = !st || !st->d[s->dir].started;
	if (first && !ssh_ident_start(s->p, s->n))
		return is_ssh ? (ssh_dir_end(rf, s->dir, true), true) : false;
	if (!(st = ssh_state(c, s))) {
		rf->facts |= RPF_SSH_LOST;
		rf->done |= 3;
		return true;
	}
	struct ssh_dir *sd = &st->d[s->dir];
	struct rd r;
	bool whole = ssh_in_order(sd, s, &r);
	bool go = !first || ssh_ident(c, rf, s->dir, &r, &sd->off);
	if (go)
		go = ssh_packets(rf, sd, s->dir, &r);
	else
		ssh_dir_end(rf, s->dir, true);
	if (go && !whole)
		ssh_dir_end(rf, s->dir, true);
	if ((rf->done & 3) == 3)
		free(rp_state_take(c, s->idx));
	return true;
}

#define SSH_MAX_PKTS 16

/* The flow ended: a client direction that used up its packet budget before its
 * NEWKEYS was not followed (one that closed before it tried no login). */
static void ssh_flow_end(struct rp_col *c, struct rp_flow *rf, uint32_t idx)
{
	struct ssh_st *st = rp_state_take(c, idx);
	if (st && !(rf->done & 1) && st->d[0].started && rf->seen[0] >= SSH_MAX_PKTS)
		rf->facts |= RPF_SSH_LOST;
	free(st);
}

const struct rp_proto proto_ssh = { .name = "ssh", .app = RP_APP_SSH, .max_pkts = SSH_MAX_PKTS,
				    .inspect = ssh_inspect, .flow_end = ssh_flow_end };
