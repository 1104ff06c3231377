/*
 * geo.c - AS number, AS organisation and country of an address from a
 * libloc database (IPFire Location, CC BY-SA 4.0; Debian libloc-database),
 * and the private/reserved range labels that need no database.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include <libloc/libloc.h>
#include <libloc/as.h>
#include <libloc/database.h>
#include <libloc/network.h>

#include "analysis/report.h"

struct geo {
	struct loc_ctx *ctx;
	struct loc_database *db;
	char path[256];
};

static const char *const geo_default_paths[] = {
	"/usr/share/libloc-location/location.db",
	"/var/lib/location/database.db",
	"/usr/share/libloc/location.db",
	"/var/lib/location/location.db",
};

struct geo *geo_open(const char *path, char *err, size_t errlen)
{
	FILE *f = NULL;
	const char *used = path;
	if (path) {
		f = fopen(path, "r");
	} else {
		for (size_t i = 0; !f && i < sizeof geo_default_paths / sizeof *geo_default_paths; i++)
			if ((f = fopen(geo_default_paths[i], "r")))
				used = geo_default_paths[i];
	}
	if (!f) {
		int e = errno;
		snprintf(err, errlen, "cannot open '%s': %s", path ? path : geo_default_paths[0], strerror(e));
		return NULL;
	}
	struct geo *g = calloc(1, sizeof *g);
	if (!g || loc_new(&g->ctx) || loc_database_new(g->ctx, &g->db, f)) {
		snprintf(err, errlen, "'%s' is not a libloc database", used);
		fclose(f);
		geo_close(g);
		return NULL;
	}
	fclose(f);
	snprintf(g->path, sizeof g->path, "%s", used);
	return g;
}

void geo_close(struct geo *g)
{
	if (!g)
		return;
	if (g->db)
		loc_database_unref(g->db);
	if (g->ctx)
		loc_unref(g->ctx);
	free(g);
}

const char *geo_path(const struct geo *g)
{
	return g->path;
}

void geo_lookup(struct geo *g, uint8_t family, const uint8_t *addr, uint32_t *asn,
		char *org, size_t orglen, char cc[4])
{
	*asn = 0;
	org[0] = 0;
	cc[0] = 0;
	struct in6_addr a;
	memset(&a, 0, sizeof a);
	if (family == 4) {   /* libloc keys IPv4 as v4-mapped IPv6 */
		a.s6_addr[10] = a.s6_addr[11] = 0xff;
		memcpy(a.s6_addr + 12, addr, 4);
	} else {
		memcpy(a.s6_addr, addr, 16);
	}
	struct loc_network *n = NULL;
	if (loc_database_lookup(g->db, &a, &n) || !n)
		return;
	*asn = loc_network_get_asn(n);
	const char *c = loc_network_get_country_code(n);
	if (c)
		snprintf(cc, 4, "%s", c);
	loc_network_unref(n);
	struct loc_as *as = NULL;
	if (*asn && !loc_database_get_as(g->db, &as, *asn) && as) {
		const char *nm = loc_as_get_name(as);
		snprintf(org, orglen, "%s", nm ? nm : "");
		loc_as_unref(as);
	}
}

struct geo_range { uint8_t family; uint8_t net[16]; unsigned bits; const char *label; };

static const struct geo_range geo_ranges[] = {
	{ 4, { 10 }, 8, "private (RFC 1918)" },
	{ 4, { 172, 16 }, 12, "private (RFC 1918)" },
	{ 4, { 192, 168 }, 16, "private (RFC 1918)" },
	{ 4, { 100, 64 }, 10, "shared (RFC 6598)" },
	{ 4, { 127 }, 8, "loopback" },
	{ 4, { 169, 254 }, 16, "link-local" },
	{ 4, { 0 }, 8, "this network (RFC 1122)" },
	{ 4, { 192, 0, 2 }, 24, "documentation (RFC 5737)" },
	{ 4, { 198, 51, 100 }, 24, "documentation (RFC 5737)" },
	{ 4, { 203, 0, 113 }, 24, "documentation (RFC 5737)" },
	{ 4, { 198, 18 }, 15, "benchmarking (RFC 2544)" },
	{ 4, { 224 }, 4, "multicast" },
	{ 4, { 240 }, 4, "reserved" },
	{ 6, { 0xfc }, 7, "unique local (RFC 4193)" },
	{ 6, { 0xfe, 0x80 }, 10, "link-local" },
	{ 6, { 0xff }, 8, "multicast" },
	{ 6, { 0x20, 0x01, 0x0d, 0xb8 }, 32, "documentation (RFC 3849)" },
};

static bool prefix_match(const uint8_t *a, const uint8_t *net, unsigned bits)
{
	for (unsigned i = 0; i < bits; i++) {
		unsigned bit = 7 - (i % 8);
		if (((a[i / 8] >> bit) & 1) != ((net[i / 8] >> bit) & 1))
			return false;
	}
	return true;
}

const char *geo_range(uint8_t family, const uint8_t *addr)
{
	for (size_t i = 0; i < sizeof geo_ranges / sizeof *geo_ranges; i++)
		if (geo_ranges[i].family == family && prefix_match(addr, geo_ranges[i].net, geo_ranges[i].bits))
			return geo_ranges[i].label;
	return NULL;
}
