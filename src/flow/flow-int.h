/* flow-int.h - shared between flowtab.c and tcpstate.c (internal). */
#ifndef BOTLENS_FLOW_INT_H
#define BOTLENS_FLOW_INT_H
#include "flow/flow.h"
void flow_tcp_update(struct flow *f, const struct pkt *p, int dir);
bool flow_tcp_restarts(const struct flow *f, const struct pkt *p, int dir);
void flow_history_add(struct flow *f, char letter, int dir);
#endif
