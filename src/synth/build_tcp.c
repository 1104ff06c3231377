/*
 * build_tcp.c - a TCP connection (RFC 793) as seen from the capture
 * point: three-way handshake, data split at the MSS with an ACK every
 * second full segment (RFC 1122 4.2.3.2 delayed ACKs), piggybacked ACKs
 * when the peer answers quickly, FIN teardown, resets, refused and
 * unanswered SYNs.
 *
 * Timing model: the capture sits on the sandbox's link, so a frame sent
 * by the local side is seen at once and the remote side's answer is seen
 * one round trip later; a frame from the local side answering the remote
 * one follows after a few hundred microseconds of host processing.
 * s->t is the time of the latest frame emitted and s->last its sender;
 * each call starts after s->t.
 * Sequence numbers: SYN and FIN take one number each, data its length.
 */
#include "synth/build.h"

/* Delay before side `side` can answer the last frame seen. */
static int64_t resp_delay(struct build_tcp *s, int side)
{
	if (side != s->local)
		return s->rtt + (int64_t)rng_range(&s->c->rng, 0, (uint64_t)s->rtt / 10 + 1);
	return (int64_t)rng_range(&s->c->rng, 40, 400);
}

static void seg(struct build_tcp *s, int side, int64_t t, uint8_t flags, const void *data,
		size_t len)
{
	build_tcp_seg(s->c, s->sess, t, s->ip[side], s->port[side], s->ip[!side], s->port[!side],
		      s->nxt[side], s->nxt[!side], flags, s->win[side], data, len);
	s->nxt[side] += (uint32_t)len + ((flags & (TH_SYN | TH_FIN)) ? 1 : 0);
	if (t >= s->t) {
		s->t = t;
		s->last = side;
	}
}

static uint16_t pick_window(struct build_tcp *s, int side)
{
	static const uint16_t remote_wins[] = { 46720, 65535, 16384, 32768, 64240, 17520 };
	if (side == s->local)
		return 64240;     /* Windows XP on Ethernet: 44 * 1460 */
	return remote_wins[rng_range(&s->c->rng, 0, 5)];
}

/*
 * Prepares a connection from cip:cport (side 0) to sip:sport (side 1);
 * `local` says which side is at the capture point; t is when the first
 * frame is seen.  Allocates the session (flow) for the truth.
 */
void build_tcp_init(struct build_tcp *s, struct build_ctx *c, enum build_kind kind,
		    uint32_t cip, uint16_t cport, uint32_t sip, uint16_t sport, int local,
		    int64_t t, int64_t rtt)
{
	s->c = c;
	s->sess = build_session(c, kind);
	s->ip[0] = cip;
	s->ip[1] = sip;
	s->port[0] = cport;
	s->port[1] = sport;
	s->nxt[0] = (uint32_t)rng_u64(&c->rng);
	s->nxt[1] = (uint32_t)rng_u64(&c->rng);
	s->local = local;
	s->win[0] = pick_window(s, 0);
	s->win[1] = pick_window(s, 1);
	s->t = t;
	s->rtt = rtt > 0 ? rtt : 1000;
	s->seg_gap = (int64_t)rng_range(&c->rng, 1200, 4000);  /* 3-10 Mbit/s */
	s->mss = 1460;
	s->last = -1;
	s->owe = -1;
	s->owe_t = 0;
	s->closed = false;
}

void build_tcp_handshake(struct build_tcp *s)
{
	int64_t t = s->t;
	seg(s, 0, t, TH_SYN, NULL, 0);
	t += resp_delay(s, 1);
	seg(s, 1, t, TH_SYN | TH_ACK, NULL, 0);
	t += resp_delay(s, 0);
	seg(s, 0, t, TH_ACK, NULL, 0);
}

/* Sends the pending delayed ACK, if any, with the ack number owed then. */
static void flush_ack(struct build_tcp *s)
{
	if (s->owe < 0)
		return;
	int side = s->owe;
	s->owe = -1;
	seg(s, side, s->owe_t, TH_ACK, NULL, 0);
}

/*
 * Sends len bytes from `side`, starting `think` microseconds after the
 * other side could have answered.  Full segments go back to back; the
 * receiver ACKs every second one at once; the sender keeps less than the
 * receiver's window unacknowledged, waiting for those ACKs (one round
 * trip later when the sender is remote); the receiver owes a delayed ACK
 * for an odd last segment, which rides on its next data if that comes before
 * the delayed-ACK timer (200 ms on Windows, ~40 ms on Linux).
 */
void build_tcp_send(struct build_tcp *s, int side, const void *data, size_t len, int64_t think)
{
	if (s->closed || len == 0)
		return;
	const uint8_t *p = data;
	int64_t start = s->t + think + (s->last != side ? resp_delay(s, side) : 0);
	if (s->owe >= 0 && !(s->owe == side && s->owe_t >= start))
		flush_ack(s);
	if (start < s->t)
		start = s->t;
	s->owe = -1;
	int recv = !side;
	struct { int64_t t; size_t upto; } acks[64];   /* ACKs not yet used to open the window */
	int ah = 0, an = 0;
	size_t done = 0, acked = 0;
	int64_t t = start - s->seg_gap;
	/* a freed window reaches a remote sender one round trip after the local ACK */
	int64_t ack_lag = side == s->local ? 0 : s->rtt;
	for (int i = 0; done < len; i++) {
		size_t n = len - done < s->mss ? len - done : s->mss;
		t += s->seg_gap;
		while (done + n - acked >= s->win[recv] && an > 0) {
			acked = acks[ah].upto;
			if (acks[ah].t + ack_lag > t)
				t = acks[ah].t + ack_lag + (int64_t)rng_range(&s->c->rng, 20, 200);
			ah = (ah + 1) % 64;
			an--;
		}
		seg(s, side, t, (uint8_t)(TH_ACK | (done + n == len ? TH_PSH : 0)), p + done, n);
		done += n;
		if (i % 2 == 1) {
			int64_t at = t + (recv == s->local ? (int64_t)rng_range(&s->c->rng, 60, 300)
							   : s->rtt);
			seg(s, recv, at, TH_ACK, NULL, 0);
			if (an == 64) {       /* cannot happen: 64 KiB windows hold < 46 segments */
				ah = (ah + 1) % 64;
				an--;
			}
			acks[(ah + an) % 64].t = at;
			acks[(ah + an) % 64].upto = done;
			an++;
		} else if (done == len) {
			s->owe = recv;
			s->owe_t = t + (recv == s->local ? (int64_t)rng_range(&s->c->rng, 100000, 200000)
							 : s->rtt + (int64_t)rng_range(&s->c->rng, 20000, 40000));
		}
	}
}

/* FIN from `side`, FIN+ACK from the other, last ACK (RFC 793 3.5). */
void build_tcp_close(struct build_tcp *s, int side, int64_t think)
{
	if (s->closed)
		return;
	flush_ack(s);
	int64_t t = s->t + think + (s->last != side ? resp_delay(s, side) : 0);
	seg(s, side, t, TH_FIN | TH_ACK, NULL, 0);
	t += resp_delay(s, !side);
	seg(s, !side, t, TH_FIN | TH_ACK, NULL, 0);
	t += resp_delay(s, side);
	seg(s, side, t, TH_ACK, NULL, 0);
	s->closed = true;
}

/* An abortive close: RST+ACK from `side`. */
void build_tcp_reset(struct build_tcp *s, int side, int64_t think)
{
	if (s->closed)
		return;
	flush_ack(s);
	int64_t t = s->t + think + (s->last != side ? resp_delay(s, side) : 0);
	seg(s, side, t, TH_RST | TH_ACK, NULL, 0);
	s->closed = true;
}

/* A SYN answered by RST+ACK: nothing listens on the port. */
void build_tcp_refused(struct build_tcp *s)
{
	int64_t t = s->t;
	seg(s, 0, t, TH_SYN, NULL, 0);
	t += resp_delay(s, 1);
	build_tcp_seg(s->c, s->sess, t, s->ip[1], s->port[1], s->ip[0], s->port[0], 0, s->nxt[0],
		      TH_RST | TH_ACK, 0, NULL, 0);
	s->t = t;
	s->closed = true;
}

/* A SYN never answered, retransmitted with a doubling timeout from 3 s (RFC 1122). */
void build_tcp_noanswer(struct build_tcp *s, int tries)
{
	uint32_t isn = s->nxt[0];
	int64_t t = s->t, rto = BUILD_SEC(3);
	for (int i = 0; i < tries; i++) {
		s->nxt[0] = isn;
		seg(s, 0, t, TH_SYN, NULL, 0);
		t += rto;
		rto *= 2;
	}
	s->closed = true;
}
