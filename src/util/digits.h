/*
 * digits.h - decimal digits two at a time, for writers of many numbers
 * (table rows, addresses): one division per two digits instead of one
 * per digit, and no printf.
 */
#ifndef BOTLENS_DIGITS_H
#define BOTLENS_DIGITS_H

#include <string.h>

extern const char digit_pairs[201];   /* "00" "01" ... "99" */

/* Two decimal digits of v (0..99) at b. */
static inline void put2(char *b, unsigned v)
{
	memcpy(b, digit_pairs + 2 * v, 2);
}

/* v (0..999) in decimal without leading zeros at p; returns the end. */
static inline char *put_u999(char *p, unsigned v)
{
	if (v >= 100) {
		*p++ = (char)('0' + v / 100);
		put2(p, v % 100);
		return p + 2;
	}
	if (v >= 10) {
		put2(p, v);
		return p + 2;
	}
	*p = (char)('0' + v);
	return p + 1;
}

#endif
