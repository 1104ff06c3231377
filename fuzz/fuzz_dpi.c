/*
 * fuzz_dpi.c - libFuzzer harness for the nDPI wrapper (analysis/dpi.c):
 * the input is a run of packets of one flow, each a 2-byte big-endian
 * length (15 bits; the top bit gives the direction) and that many bytes of IP packet (header first), given to
 * dpi_feed() from a heap copy of exactly its length, then dpi_result(),
 * dpi_name() and the risk names.  One detection module for the whole run
 * (LLVMFuzzerInitialize).  libndpi itself is not instrumented: ASan sees
 * its reads only through the libc calls it makes, so the harness mostly
 * guards the wrapper and catches crashes and hangs.
 *
 * As in botlens, all packets of a flow share its 5-tuple: each IPv4
 * packet after the first gets the first one's protocol, addresses and
 * ports, either way round (the top bit of its length: the direction).
 * Found with it in nDPI 4.2, both kept from botlens by dpi_feed(): the TLS
 * reassembly buffer leaks when a flow state sees TCP then another
 * protocol (fuzz/regress/dpi/), and a wild read in an extra dissector
 * after packets nDPI could not parse whole (dpi_feed now hands it whole
 * packets only; the reproducer depended on state left by earlier inputs
 * in nDPI's module and ran clean alone, so none is kept: 33 M runs
 * without it since).
 */
#include <stdlib.h>
#include <string.h>

#include "analysis/dpi.h"

/* dpi.c's collector side needs these; the harness never calls it. */
struct rp_col;
void *rp_state_get(struct rp_col *c, unsigned idx);
void *rp_state_get(struct rp_col *c, unsigned idx) { (void)c; (void)idx; return NULL; }
void *rp_state_take(struct rp_col *c, unsigned idx);
void *rp_state_take(struct rp_col *c, unsigned idx) { (void)c; (void)idx; return NULL; }
_Bool rp_state_put(struct rp_col *c, unsigned idx, void *p, size_t n, void (*f)(void *));
_Bool rp_state_put(struct rp_col *c, unsigned idx, void *p, size_t n, void (*f)(void *))
{
	(void)c; (void)idx; (void)p; (void)n; (void)f;
	return 0;
}

static struct dpi *dpi;
static uint8_t tuple[13];  /* protocol, src, dst, sport, dport of the flow's first IPv4 packet */

/* Gives IPv4 packet p the flow's 5-tuple (packet k; k == 0 sets it), reversed when rev. */
static void same_flow(uint8_t *p, size_t n, unsigned k, int rev)
{
	if (n < 20 || p[0] >> 4 != 4)
		return;
	size_t hl = (size_t)(p[0] & 15) * 4;
	bool ports = hl >= 20 && n >= hl + 4;
	if (!k) {
		memset(tuple, 0, sizeof tuple);
		tuple[0] = p[9];
		memcpy(tuple + 1, p + 12, 8);
		if (ports)
			memcpy(tuple + 9, p + hl, 4);
		return;
	}
	p[9] = tuple[0];
	memcpy(p + 12, tuple + (rev ? 5 : 1), 4);
	memcpy(p + 16, tuple + (rev ? 1 : 5), 4);
	if (ports) {
		memcpy(p + hl, tuple + (rev ? 11 : 9), 2);
		memcpy(p + hl + 2, tuple + (rev ? 9 : 11), 2);
	}
}
static volatile unsigned sink;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	dpi = dpi_new();
	return dpi ? 0 : 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dpi_flow *f = dpi_flow_new();
	if (!f)
		return 0;
	int64_t ts = 1700000000000000000LL;
	for (unsigned k = 0; k < 32 && size >= 2; k++) {
		size_t n = (size_t)(data[0] & 0x7f) << 8 | data[1];
		data += 2, size -= 2;
		if (n > size)
			n = size;
		uint8_t *p = malloc(n ? n : 1);
		if (!p)
			break;
		memcpy(p, data, n);
		same_flow(p, n, k, data[-2] >> 7);
		bool done = dpi_feed(dpi, f, p, n, ts);
		free(p);
		data += n, size -= n;
		ts += 1000000;
		if (done)
			break;
	}
	struct dpi_result r = dpi_result(dpi, f);
	char name[64];
	sink = (unsigned)strlen(dpi_name(dpi, r.master, r.app, name, sizeof name)) + dpi_app(r.master, r.app, 6);
	for (unsigned b = 0; b < 64; b++)
		if (r.risk >> b & 1 && dpi_risk_name(b))
			sink += (unsigned)strlen(dpi_risk_name(b));
	dpi_flow_free(f);
	return 0;
}
