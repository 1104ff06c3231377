/*
 * harness.h - a tiny unit-test harness (after Redis testhelp.h).
 *
 *   TEST("name") { CHECK(x == 1); CHECK_EQ_U(a, b); CHECK_STR(s, "x"); }
 *   ... int main(void) { run tests ...; return harness_report("decode"); }
 *
 * Each CHECK counts; a failing one prints file:line and the expression.
 * harness_report() prints "N passed, N failed" (the line CI reads) and
 * returns the exit status.
 */
#ifndef BOTLENS_HARNESS_H
#define BOTLENS_HARNESS_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int harness_pass, harness_fail;
static const char *harness_test = "";

#define TEST(name) harness_test = (name);

#define CHECK(expr)                                                                   \
	do {                                                                          \
		if (expr) {                                                           \
			harness_pass++;                                               \
		} else {                                                              \
			harness_fail++;                                               \
			fprintf(stderr, "FAIL %s:%d [%s]: %s\n", __FILE__, __LINE__,   \
				harness_test, #expr);                                 \
		}                                                                     \
	} while (0)

#define CHECK_EQ_U(a, b)                                                              \
	do {                                                                          \
		uint64_t ha_ = (uint64_t)(a), hb_ = (uint64_t)(b);                    \
		if (ha_ == hb_) {                                                     \
			harness_pass++;                                               \
		} else {                                                              \
			harness_fail++;                                               \
			fprintf(stderr, "FAIL %s:%d [%s]: %s == %s (%" PRIu64            \
					" != %" PRIu64 ")\n",                         \
				__FILE__, __LINE__, harness_test, #a, #b, ha_, hb_);  \
		}                                                                     \
	} while (0)

#define CHECK_STR(a, b)                                                               \
	do {                                                                          \
		const char *sa_ = (a), *sb_ = (b);                                    \
		if (sa_ && sb_ && strcmp(sa_, sb_) == 0) {                            \
			harness_pass++;                                               \
		} else {                                                              \
			harness_fail++;                                               \
			fprintf(stderr, "FAIL %s:%d [%s]: %s == \"%s\" (got \"%s\")\n", \
				__FILE__, __LINE__, harness_test, #a, sb_ ? sb_ : "(null)", \
				sa_ ? sa_ : "(null)");                                \
		}                                                                     \
	} while (0)

static inline int harness_report(const char *suite)
{
	printf("%s: %d passed, %d failed\n", suite, harness_pass, harness_fail);
	return harness_fail ? 1 : 0;
}

#endif
