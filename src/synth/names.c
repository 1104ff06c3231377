/*
 * names.c - made-up names for synthetic runs: words from syllables,
 * domain names under common TLDs, mailboxes.  None is meant to exist;
 * they only need to look like the names of 2008 spam and browsing.
 */
#include <stdio.h>
#include <string.h>

#include "synth/build.h"

static const char *const syllables[] = {
	"ka", "ri", "to", "men", "sa", "lo", "ver", "an", "tel", "no", "di", "mar", "ko",
	"bel", "ra", "net", "shi", "po", "lan", "de", "vi", "zo", "tra", "fin", "gor", "mi",
	"hu", "ber", "cas", "el", "sun", "wo", "pex", "dal", "ni", "qua", "rom", "tu", "ex",
};

static const char *const tlds[] = {
	"com", "com", "com", "net", "org", "de", "co.uk", "ru", "fr", "nl", "info", "it",
	"pl", "com.br", "biz", "es",
};

static const char *const first_names[] = {
	"john", "mary", "alex", "anna", "peter", "linda", "mike", "susan", "tom", "julia",
	"david", "karen", "info", "sales", "admin", "jsmith", "mbrown", "office", "paul", "eva",
};

#define PICK(r, t) ((t)[rng_range((r), 0, sizeof(t) / sizeof *(t) - 1)])

/* A lower-case word of min_syl..max_syl syllables (always NUL-terminated). */
void build_word(struct rng *r, char *out, size_t len, int min_syl, int max_syl)
{
	int n = (int)rng_range(r, (uint64_t)min_syl, (uint64_t)max_syl);
	size_t k = 0;
	out[0] = 0;
	for (int i = 0; i < n; i++) {
		const char *s = PICK(r, syllables);
		size_t l = strlen(s);
		if (k + l + 1 > len)
			break;
		memcpy(out + k, s, l + 1);
		k += l;
	}
}

void build_domain(struct rng *r, char *out, size_t len)
{
	char w[32];
	build_word(r, w, sizeof w, 2, 4);
	snprintf(out, len, "%s.%s", w, PICK(r, tlds));
}

void build_mailbox(struct rng *r, char *out, size_t len, const char *domain)
{
	const char *name = PICK(r, first_names);
	if (rng_chance(r, 0.4)) {
		unsigned n = (unsigned)rng_range(r, 1, 99);
		snprintf(out, len, "%s%u@%s", name, n, domain);
	} else {
		snprintf(out, len, "%s@%s", name, domain);
	}
}
