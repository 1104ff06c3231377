/*
 * lines.h - the line reader shared by the line-oriented parsers (internal
 * to src/behavior).
 */
#ifndef BOTLENS_BEHAVIOR_LINES_H
#define BOTLENS_BEHAVIOR_LINES_H

#include "behavior/behavior.h"

long bh_src_line(struct bh_src *s, char *buf, size_t cap, bool *cut);

#endif
