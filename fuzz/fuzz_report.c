/*
 * fuzz_report.c - libFuzzer harness for the behavior report parsers
 * (behavior/cuckoo.c, mist.c, text.c, and the format detection).  Byte 0
 * selects the parser (auto, Cuckoo/CAPE JSON, MIST, text, CSV) and bit 3 the
 * argument level; the rest is the report, parsed from a heap copy of
 * exactly its length so AddressSanitizer sees any overread.  A parser may
 * refuse the input (it must then say where), never crash or hang.
 */
#include "behavior/behavior.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static volatile unsigned char sink_byte;

static void on_event(void *ctx, const char *tok, size_t len)
{
	size_t *n = ctx;
	if (len)  /* read both ends of every token, so ASan checks its bounds */
		sink_byte = (unsigned char)(tok[0] ^ tok[len - 1]);
	(*n)++;
}

static void on_row(void *ctx, const char *name, const char *label)
{
	(void)ctx;
	if (name && strlen(name) > 1u << 20)
		abort();
	if (label && strlen(label) > 1u << 20)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t sel = data[0];
	uint8_t *buf = malloc(size - 1 ? size - 1 : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	size_t events = 0;
	struct bh_sink k = { .event = on_event, .row = on_row, .ctx = &events };
	struct bh_parse_opts o = { .level = sel & 8 ? 2 : 1, .network = sel & 16 };
	struct bh_src s;
	bh_src_mem(&s, buf, size - 1);
	char err[256] = "";
	int rc;
	switch (sel % 5) {
	case 1: rc = bh_parse_cuckoo(&s, &o, &k, err, sizeof err); break;
	case 2: rc = bh_parse_mist(&s, &o, &k, err, sizeof err); break;
	case 3: rc = bh_parse_text(&s, &o, &k, err, sizeof err); break;
	case 4: rc = bh_parse_csv(&s, &o, &k, err, sizeof err); break;
	default: rc = bh_parse(&s, "fuzz", &o, &k, err, sizeof err); break;
	}
	if (rc != 0 && err[0] == 0)
		abort();  /* a refusal must say what is wrong */
	free(buf);
	return 0;
}
