/*
 * reference.c - the libpcap reader, kept as the reference.
 *
 * Every file is opened through zlib's gzopen (which passes uncompressed
 * files through unchanged) and handed to libpcap as a stdio stream made
 * with fopencookie, so the reference reads the same inputs as the native
 * reader: pcap, pcapng, gzip, standard input.  libpcap's own limits stay:
 * a pcapng file whose interfaces have different link types is refused.
 */
#include "capture/capture-int.h"

#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static ssize_t cookie_read(void *cookie, char *buf, size_t size)
{
	struct cap *c = cookie;
	int n = gzread((gzFile)c->file, buf, size > INT32_MAX ? INT32_MAX : (unsigned)size);
	if (n < 0)
		return -1;
	c->ref_offset += (uint64_t)n;
	return n;
}

static int cookie_close(void *cookie)
{
	struct cap *c = cookie;
	int rc = gzclose((gzFile)c->file);
	c->file = NULL;
	return rc == Z_OK ? 0 : -1;
}

int ref_open(struct cap *c, char *err, size_t errlen)
{
	gzFile gz = strcmp(c->path, "-") ? gzopen(c->path, "rb") : gzdopen(dup(STDIN_FILENO), "rb");
	if (!gz) {
		snprintf(err, errlen, "cannot open '%s': %s", c->path, strerror(errno ? errno : ENOMEM));
		return CAP_EOPEN;
	}
	c->file = gz;
	c->src.gz = !gzdirect(gz);
	cookie_io_functions_t io = { .read = cookie_read, .close = cookie_close };
	FILE *f = fopencookie(c, "r", io);
	if (!f) {
		snprintf(err, errlen, "cannot open '%s': %s", c->path, strerror(errno));
		return CAP_EOPEN;
	}
	char perr[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, perr);
	if (!p) {
		fclose(f);
		snprintf(err, errlen, "'%s' is not a capture libpcap can read: %s", c->path, perr);
		return CAP_EFORMAT;
	}
	c->pcap = p;
	c->linktype = pcap_datalink(p);
	c->fmt = CAP_FMT_PCAP;
	cap_note_linktype(c, c->linktype);
	return CAP_OK;
}

int ref_next(struct cap *c, struct cap_rec *rec, char *err, size_t errlen)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc = pcap_next_ex(c->pcap, &h, &data);
	if (rc == PCAP_ERROR_BREAK)
		return CAP_EOF;
	if (rc != 1) {
		snprintf(err, errlen, "'%s' is damaged near offset %" PRIu64 ": %s", c->path,
			 c->ref_offset, pcap_geterr(c->pcap));
		return CAP_EDAMAGED;
	}
	rec->ts_ns = (int64_t)h->ts.tv_sec * 1000000000 + h->ts.tv_usec;
	rec->caplen = h->caplen;
	rec->wirelen = h->len;
	rec->linktype = c->linktype;
	rec->iface = 0;
	rec->offset = c->ref_offset;
	rec->data = data;
	return CAP_OK;
}

void ref_close(struct cap *c)
{
	if (c->pcap)
		pcap_close(c->pcap);  /* closes the stream, hence the gzFile */
	else if (c->file)
		gzclose((gzFile)c->file);
	c->pcap = NULL;
	c->file = NULL;
}
