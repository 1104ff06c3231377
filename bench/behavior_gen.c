/*
 * behavior_gen.c - writes a synthetic behavior corpus for bench/behavior.sh:
 * N reports of about SIZE bytes each, families from bh_synth_report(),
 * named rNNNNN.famFF (Malheur's label suffix), as text (one event per
 * line) or as Cuckoo JSON (behavior.processes[].calls[] with arguments).
 *
 *   behavior_gen DIR N SIZE [text|cuckoo] [FAMILIES] [OVERLAP]
 *
 * OVERLAP (0-1, default 0): families share motif events and motifs
 * (bh_synth_opts.overlap), as real families share API-call n-grams.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "behavior/behavior.h"

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: behavior_gen DIR N SIZE [text|cuckoo] [FAMILIES] [OVERLAP]\n");
		return 2;
	}
	const char *dir = argv[1];
	size_t n = strtoull(argv[2], NULL, 10), size = strtoull(argv[3], NULL, 10);
	bool json = argc > 4 && !strcmp(argv[4], "cuckoo");
	unsigned fams = argc > 5 ? (unsigned)atoi(argv[5]) : 8;
	if (mkdir(dir, 0755) && errno != EEXIST) {
		perror(dir);
		return 1;
	}
	/* text events average ~21 bytes; JSON calls ~110 */
	struct bh_synth_opts o = { .families = fams, .events = (unsigned)(size / (json ? 100 : 19)), .noise = 0.2,
				   .overlap = argc > 6 ? atof(argv[6]) : 0, .seed = 1 };
	char *buf = NULL, path[4096];
	size_t cap = 0;
	for (size_t i = 0; i < n; i++) {
		size_t len = 0;
		unsigned f = bh_synth_report(&o, i, &buf, &len, &cap);
		snprintf(path, sizeof path, "%s/r%05zu.fam%02u%s", dir, i, f, json ? ".json" : "");
		FILE *out = fopen(path, "w");
		if (!out) {
			perror(path);
			return 1;
		}
		if (!json) {
			fwrite(buf, 1, len, out);
		} else {
			fputs("{\"info\": {\"id\": 1}, \"behavior\": {\"processes\": [{\"process_id\": 1000, \"calls\": [\n", out);
			char *p = buf, *e;
			unsigned k = 0;
			while ((e = memchr(p, '\n', (size_t)(buf + len - p)))) {
				fprintf(out, "%s{\"category\": \"system\", \"status\": \"SUCCESS\", \"api\": \"%.*s\", "
					     "\"arguments\": [{\"name\": \"Handle\", \"value\": \"0x%08x\"}]}",
					k ? ",\n" : "", (int)(e - p), p, k * 4);
				k++;
				p = e + 1;
			}
			fputs("]}]}}\n", out);
		}
		if (fclose(out)) {
			perror(path);
			return 1;
		}
	}
	free(buf);
	return 0;
}
