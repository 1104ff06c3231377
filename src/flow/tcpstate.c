/*
 * tcpstate.c - TCP facts per direction, Zeek's history string and
 * conn_state (Zeek base/protocols/conn/main.zeek documents both).
 *
 * History letters, uppercase from the originator, lowercase from the
 * responder, each recorded the first time it happens in that direction:
 *   S SYN without ACK   H SYN+ACK   A pure ACK   D payload   F FIN
 *   R RST   ^ the flow was flipped (first packet seen was a SYN-ACK)
 * UDP and other protocols get D/d only.
 */
#include "flow/flow-int.h"

#include <stdio.h>
#include <string.h>


/* Bit index of each history letter in flow.hseen (two bits: one per direction). */
static int letter_index(char letter)
{
	switch (letter) {
	case 'S': return 0;
	case 'H': return 1;
	case 'A': return 2;
	case 'D': return 3;
	case 'F': return 4;
	case 'R': return 5;
	case '^': return 6;
	}
	return -1;
}

void flow_history_add(struct flow *f, char letter, int dir)
{
	int pos = letter_index(letter);
	if (pos < 0)
		return;
	uint32_t bit = 1u << (pos * 2 + dir);
	if ((f->hseen & bit) || (size_t)f->hlen + 1 >= sizeof f->history)
		return;
	f->hseen |= bit;
	f->history[f->hlen++] = dir == 0 || letter == '^' ? letter : (char)(letter + 32);
	f->history[f->hlen] = 0;
}

void flow_tcp_update(struct flow *f, const struct pkt *p, int dir)
{
	uint8_t fl = p->tcp_flags;
	uint8_t *s = &f->tcp[dir];
	if (fl & 0x02) {
		if (fl & 0x10) {
			*s |= TCPF_SYNACK;
			flow_history_add(f, 'H', dir);
		} else {
			*s |= TCPF_SYN;
			flow_history_add(f, 'S', dir);
		}
	}
	if (fl & 0x01) {
		*s |= TCPF_FIN;
		flow_history_add(f, 'F', dir);
	}
	if (fl & 0x04) {
		*s |= TCPF_RST;
		flow_history_add(f, 'R', dir);
	}
	if (p->payload_len) {
		*s |= TCPF_DATA;
		flow_history_add(f, 'D', dir);
	} else if ((fl & 0x17) == 0x10) {
		*s |= TCPF_ACK;
		flow_history_add(f, 'A', dir);
	}
}

/*
 * A closed connection (both FINs, or a RST) that sees a fresh SYN is a
 * new connection reusing the ports, as Zeek starts a new uid.
 */
bool flow_tcp_restarts(const struct flow *f, const struct pkt *p, int dir)
{
	if ((p->tcp_flags & 0x12) != 0x02 || p->frag == FRAG_LATER)
		return false;
	bool closed = ((f->tcp[0] | f->tcp[1]) & TCPF_RST) ||
		      ((f->tcp[0] & TCPF_FIN) && (f->tcp[1] & TCPF_FIN));
	return closed;
}

const char *flow_conn_state(const struct flow *f)
{
	if (f->proto != 6)
		return f->pkts[1] ? "SF" : "S0";
	uint8_t o = f->tcp[0], r = f->tcp[1];
	bool osyn = o & TCPF_SYN, rsynack = r & TCPF_SYNACK;
	if (osyn && !rsynack) {
		if (r & TCPF_RST)
			return "REJ";
		if (o & TCPF_RST)
			return "RSTOS0";
		if (o & TCPF_FIN)
			return "SH";
		return "S0";
	}
	if (!osyn && rsynack) {
		if (r & TCPF_RST)
			return "RSTRH";
		if (r & TCPF_FIN)
			return "SHR";
	}
	if (!osyn && !rsynack)
		return "OTH";
	if (o & TCPF_RST)
		return "RSTO";
	if (r & TCPF_RST)
		return "RSTR";
	if ((o & TCPF_FIN) && (r & TCPF_FIN))
		return "SF";
	if (o & TCPF_FIN)
		return "S2";
	if (r & TCPF_FIN)
		return "S3";
	return "S1";
}

const char *flow_proto_str(const struct flow *f, char *buf, unsigned len)
{
	if (f->proto == 58)
		return "icmp";  /* Zeek logs ICMPv6 as icmp too */
	const char *n = decode_proto_name(f->proto);
	if (n)
		return n;
	snprintf(buf, len, "%u", f->proto);
	return buf;
}
