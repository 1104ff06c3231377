/*
 * dpi.h - a flow's application protocol and risks by nDPI (libndpi 4.2).
 *
 * One detection module (struct dpi) serves one collector: all of nDPI's
 * protocols enabled, no host lists loaded beyond its built-in ones.  A
 * flow's detection state (struct dpi_flow, nDPI's struct
 * ndpi_flow_struct, ~700 bytes plus what its dissectors allocate) is
 * fed whole IP packets, IPv4 or IPv6, header first, until nDPI needs no
 * more; then dpi_result() gives the master and application protocol ids
 * (nDPI's NDPI_PROTOCOL_* numbering, 0 unknown) and the risk bitmap (bit
 * n = nDPI's ndpi_risk_enum n), and the state is freed.
 *
 * The collector side (analysis/dpi.c: rp_dpi_*, report-int.h) keeps the
 * state per flow with rp_state_put, bounded, and frees it as soon as
 * detection ends; only the ids and the bitmap stay in struct rp_flow.
 *
 * nDPI's headers are included by dpi.c and the unit test only.
 */
#ifndef BOTLENS_DPI_H
#define BOTLENS_DPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dpi;
struct dpi_flow;

struct dpi_result {
	uint16_t master, app;       /* nDPI protocol ids, 0 = unknown */
	uint64_t risk;              /* ndpi_risk: bit n = ndpi_risk_enum n */
};

/* A detection module with every protocol enabled; NULL when nDPI could not
 * be initialised (out of memory). */
struct dpi *dpi_new(void);
void dpi_free(struct dpi *d);

/* A zeroed flow state, NULL out of memory; dpi_flow_free releases it and
 * whatever nDPI's dissectors allocated for it. */
struct dpi_flow *dpi_flow_new(void);
void dpi_flow_free(struct dpi_flow *f);
/* The bytes of a flow state as nDPI declares them. */
size_t dpi_flow_size(void);

/*
 * Feeds one IP packet (ip: the IP header, n captured bytes, at most the IP
 * total length) of the flow at time ts_ns.  Returns true when nDPI has
 * detected a protocol and wants no more packets of the flow.  Packets
 * longer than 65,535 bytes are ignored (nDPI takes 16-bit lengths).
 */
bool dpi_feed(struct dpi *d, struct dpi_flow *f, const uint8_t *ip, size_t n, int64_t ts_ns);
/* True once nDPI has recognised a protocol on the flow. */
bool dpi_detected(const struct dpi_flow *f);
/* The flow's protocols and risks; asks nDPI to give up (decide on what it
 * saw) when nothing was detected.  Port guesses are not kept: a flow
 * nDPI did not recognise by content stays unknown. */
struct dpi_result dpi_result(struct dpi *d, struct dpi_flow *f);

/* "TLS.Google", "DNS", "QUIC" ... into buf; "" when both ids are 0. */
const char *dpi_name(struct dpi *d, uint16_t master, uint16_t app, char *buf, size_t len);
/* nDPI's name of risk bit n ("Self-signed Certificate"), NULL past its table. */
const char *dpi_risk_name(unsigned n);
/* botlens's enum rp_app for nDPI's (master, app) on IP protocol l4, or 0
 * (RP_APP_NONE) when botlens has no such protocol (analysis/dpi.c table). */
unsigned dpi_app(uint16_t master, uint16_t app, uint8_t l4);

#endif
