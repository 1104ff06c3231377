/*
 * behavior_embed.c - parse + embed throughput of a corpus (bh_input_read,
 * no feature table, as learn/classify/evaluate read it), and sparse
 * distances per second over the first vectors.
 *
 *   behavior_embed INPUT... ; prints "bytes reports seconds MB/s distances/s"
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "behavior/behavior.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct bh_set s;
	bh_set_init(&s);
	struct bh_input_opts o = { .parse = { .level = 1 }, .embed = { .n = 2, .level = 1 }, .threads = 1 };
	double t0 = now();
	int bad = bh_input_read(argv + 1, (size_t)argc - 1, &o, &s, NULL, NULL);
	double t1 = now();
	size_t m = s.n < 400 ? s.n : 400, nd = 0;
	for (size_t i = 0; i < m; i++)
		bh_vec_weight(&s.v[i], BH_W_BINARY, NULL);
	double t2 = now(), sum = 0;
	for (size_t i = 0; i < m; i++)
		for (size_t j = 0; j < i; j++, nd++)
			sum += bh_vec_dist(&s.v[i], &s.v[j]);
	double t3 = now();
	printf("%llu %zu %.3f %.1f %.0f %d %.1f\n", (unsigned long long)s.bytes, s.n, t1 - t0,
	       (double)s.bytes / 1e6 / (t1 - t0), (double)nd / (t3 - t2), bad, sum > 0 ? 1.0 : 0.0);
	bh_set_free(&s);
	return bad ? 1 : 0;
}
