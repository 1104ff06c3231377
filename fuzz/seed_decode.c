/*
 * seed_decode.c - writes fuzz_decode seeds from real captures: for each
 * capture given, the first records of its first link type, in the input
 * format of fuzz_common.h.  Usage: seed_decode OUTDIR CAPTURE...
 */
#include "capture/capture.h"
#include "fuzz_common.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	unsigned written = 0;
	for (int i = 2; i < argc; i++) {
		struct cap *c;
		char err[CAP_ERRLEN];
		if (cap_open(&c, argv[i], NULL, err, sizeof err) != CAP_OK)
			continue;
		struct cap_rec rec;
		FILE *f = NULL;
		int lt = -1;
		unsigned n = 0;
		while (n < 16 && cap_next(c, &rec, err, sizeof err) == CAP_OK) {
			if (lt < 0) {
				for (unsigned k = 0; k < FUZZ_NLINKTYPES; k++)
					if (fuzz_linktypes[k] == rec.linktype)
						lt = (int)k;
				if (lt < 0)
					break;
				char path[4096];
				snprintf(path, sizeof path, "%s/seed-%04d", argv[1], i);
				if (!(f = fopen(path, "wb")))
					break;
				fputc(lt, f);
				fputc(1, f);  /* one second between packets */
			}
			if (fuzz_linktypes[lt] != rec.linktype)
				continue;
			uint32_t len = rec.caplen > 1500 ? 1500 : rec.caplen;
			bool snapped = rec.wirelen > rec.caplen;
			fputc((int)((len >> 8) | (snapped ? 0x80 : 0)), f);
			fputc((int)(len & 0xff), f);
			fwrite(rec.data, 1, len, f);
			n++;
		}
		if (f) {
			fclose(f);
			written++;
		}
		cap_close(c);
	}
	printf("seed_decode: %u seeds\n", written);
	return 0;
}
