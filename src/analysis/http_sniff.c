/*
 * http_sniff.c - the checks proto_http.c makes on HTTP fields and body
 * starts (http_sniff.h).  Every function reads p[0..n) through struct rd
 * or index checks against n, never past it; outputs are cut to fit.
 *
 * File magic (first bytes of a body):
 *   PE     "MZ" (and "PE\0\0" at e_lfanew when that lies in the sniffed bytes)
 *   ELF    7F 'E' 'L' 'F'
 *   class  CA FE BA BE minor:2 major:2 (major 45..80: not a Mach-O fat header)
 *   ZIP    "PK" 03 04; JAR when the first entry is META-INF/... or *.class,
 *          Silverlight XAP when an entry AppManifest.xaml is in the sniffed bytes
 *   SWF    "FWS" | "CWS" | "ZWS" version:1
 *   PDF    "%PDF-"
 */
#include <string.h>

#include "analysis/http_sniff.h"
#include "analysis/report-int.h"
#include "util/rd.h"

static const char *const ftype_names[HF_COUNT] = {
	[HF_NONE] = "", [HF_PE] = "pe", [HF_ELF] = "elf", [HF_CLASS] = "java-class", [HF_JAR] = "jar",
	[HF_ZIP] = "zip", [HF_XAP] = "xap", [HF_SWF] = "swf", [HF_PDF] = "pdf",
};

const char *http_ftype_name(unsigned t)
{
	return t < HF_COUNT ? ftype_names[t] : "";
}

static enum http_ftype zip_kind(const uint8_t *p, size_t n)
{
	struct rd r;
	uint8_t nl[2];
	const uint8_t *name;
	rd_init(&r, p, n);
	if (memmem(p, n, "AppManifest.xaml", 16))
		return HF_XAP;
	if (!rd_skip(&r, 26) || !rd_copy(&r, nl, 2) || !rd_skip(&r, 2))
		return HF_ZIP;
	size_t len = (size_t)nl[0] | (size_t)nl[1] << 8;
	if (len > r.left)
		len = r.left;
	if (!rd_bytes(&r, len, &name))
		return HF_ZIP;
	if (rp_starts_ci(name, len, "META-INF/") || (len >= 6 && rp_starts_ci(name + len - 6, 6, ".class")))
		return HF_JAR;
	return HF_ZIP;
}

enum http_ftype http_magic(const uint8_t *p, size_t n)
{
	if (n >= 2 && p[0] == 'M' && p[1] == 'Z') {
		if (n < 64)
			return HF_PE;
		size_t off = (size_t)p[60] | (size_t)p[61] << 8 | (size_t)p[62] << 16 | (size_t)p[63] << 24;
		if (off > n - 4 || !memcmp(p + off, "PE\0\0", 4))
			return HF_PE;
		return HF_NONE;
	}
	if (n >= 4 && !memcmp(p, "\x7f" "ELF", 4))
		return HF_ELF;
	if (n >= 8 && !memcmp(p, "\xca\xfe\xba\xbe", 4)) {
		unsigned major = (unsigned)p[6] << 8 | p[7];
		return major >= 45 && major <= 80 ? HF_CLASS : HF_NONE;
	}
	if (n >= 4 && !memcmp(p, "PK\3\4", 4))
		return zip_kind(p, n);
	if (n >= 4 && (p[0] == 'F' || p[0] == 'C' || p[0] == 'Z') && p[1] == 'W' && p[2] == 'S' && p[3] < 64)
		return HF_SWF;
	if (n >= 5 && !memcmp(p, "%PDF-", 5))
		return HF_PDF;
	return HF_NONE;
}

/* ---- Log4Shell ---- */

struct sbuf {
	char *s;
	size_t len, cap;     /* cap includes the terminating NUL */
};

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n && b->len + 1 < b->cap; i++)
		b->s[b->len++] = s[i];
	b->s[b->len] = 0;
}

static const char *find_ci(const char *s, size_t n, const char *w)
{
	size_t wl = strlen(w);
	for (size_t i = 0; i + wl <= n; i++)
		if (rp_starts_ci((const uint8_t *)s + i, n - i, w))
			return s + i;
	return NULL;
}

/*
 * Evaluates the lookup at p ("${" ...), Log4j style: a nested lookup that
 * only yields text is replaced by it (${lower:x} and ${upper:x} by x,
 * ${anything:-x} by its default x); any other is kept as written.  The end
 * of the input closes what is open (a lookup cut by a segment boundary).
 * Returns the bytes of p consumed.  depth bounds the recursion.
 */
static size_t l4s_eval(const uint8_t *p, size_t n, struct sbuf *out, int depth)
{
	char inner[256];
	struct sbuf in = { inner, 0, sizeof inner };
	inner[0] = 0;
	size_t i = 2;
	while (i < n && p[i] != '}') {
		if (p[i] == '$' && i + 1 < n && p[i + 1] == '{' && depth < 8) {
			i += l4s_eval(p + i, n - i, &in, depth + 1);
			continue;
		}
		sb_put(&in, (const char *)p + i, 1);
		i++;
	}
	if (i < n)
		i++;   /* the '}' */
	const char *dflt = find_ci(inner, in.len, ":-");
	if (rp_starts_ci((const uint8_t *)inner, in.len, "lower:") ||
	    rp_starts_ci((const uint8_t *)inner, in.len, "upper:"))
		sb_put(out, inner + 6, in.len - 6);
	else if (dflt && !rp_starts_ci((const uint8_t *)inner, in.len, "jndi:"))
		sb_put(out, dflt + 2, in.len - (size_t)(dflt + 2 - inner));
	else {
		sb_put(out, "${", 2);
		sb_put(out, inner, in.len);
		sb_put(out, "}", 1);
	}
	return i;
}

/* Percent-decodes p[0..n) into d (at most cap bytes); returns the length. */
static size_t pct_decode(const uint8_t *p, size_t n, uint8_t *d, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	for (size_t i = 0; i < n && o < cap; i++) {
		const char *h1, *h2;
		if (p[i] == '%' && i + 2 < n && (h1 = strchr(hex, p[i + 1] | 0x20)) && p[i + 1] &&
		    (h2 = strchr(hex, p[i + 2] | 0x20)) && p[i + 2]) {
			d[o++] = (uint8_t)((h1 - hex) << 4 | (h2 - hex));
			i += 2;
		} else
			d[o++] = p[i];
	}
	return o;
}

static bool l4s_scan(const uint8_t *p, size_t n, char *out, size_t len)
{
	for (size_t i = 0; i + 1 < n; i++) {
		if (p[i] != '$' || p[i + 1] != '{')
			continue;
		char ev[512];
		struct sbuf b = { ev, 0, sizeof ev };
		size_t w = n - i < 1024 ? n - i : 1024;
		size_t used = l4s_eval(p + i, w, &b, 0);
		if (!find_ci(ev, b.len, "${jndi:"))
			continue;
		size_t k = used < len - 1 ? used : len - 1;
		for (size_t j = 0; j < k; j++)
			out[j] = p[i + j] < 0x20 || p[i + j] > 0x7e ? '.' : (char)p[i + j];
		out[k] = 0;
		return true;
	}
	return false;
}

bool http_log4shell(const uint8_t *p, size_t n, char *out, size_t len)
{
	if (!len)
		return false;
	if (l4s_scan(p, n, out, len))
		return true;
	if (!memchr(p, '%', n))
		return false;
	uint8_t d[4096];
	size_t m = pct_decode(p, n, d, sizeof d);
	return l4s_scan(d, m, out, len);
}

/* ---- hosts, cookies, forms ---- */

bool http_binary(const uint8_t *p, size_t n)
{
	size_t odd = 0;
	for (size_t i = 0; i < n; i++)
		odd += (p[i] < 0x20 && p[i] != '\t' && p[i] != '\r' && p[i] != '\n') || p[i] > 0x7e;
	return n >= 64 && odd * 4 > n;
}

bool http_filler(const uint8_t *p, size_t n)
{
	uint64_t seen[4] = { 0 };
	unsigned distinct = 0;
	if (n < 64)
		return false;
	for (size_t i = 0; i < n && distinct < 16; i++) {
		uint64_t bit = 1ull << (p[i] & 63);
		if (!(seen[p[i] >> 6] & bit)) {
			seen[p[i] >> 6] |= bit;
			distinct++;
		}
	}
	return distinct < 16;
}

bool http_host_is_ip(const uint8_t *p, size_t n)
{
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	while (n && (*p == ' ' || *p == '\t'))
		p++, n--;
	if (n && p[0] == '[')
		return memchr(p, ']', n) != NULL;
	size_t i = 0, dots = 0, digits = 0;
	for (; i < n && p[i] != ':'; i++) {
		if (p[i] == '.') {
			if (!digits)
				return false;
			dots++, digits = 0;
		} else if (p[i] >= '0' && p[i] <= '9') {
			if (++digits > 3)
				return false;
		} else
			return false;
	}
	if (dots != 3 || !digits)
		return false;
	for (i++; i < n; i++)   /* the port */
		if (p[i] < '0' || p[i] > '9')
			return false;
	return true;
}

static bool b64ish(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
	       c == '/' || c == '=' || c == '-' || c == '_' || c == '%';
}

bool http_cookie_blob(const uint8_t *p, size_t n)
{
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == ';' || p[i] == ' ') {
			run = 0;
			continue;
		}
		run = b64ish(p[i]) ? run + 1 : 0;
		if (run >= 64)
			return true;
	}
	return false;
}

bool http_form_names(const uint8_t *p, size_t n, char *out, size_t len)
{
	static const char *const cred[] = { "pass", "pwd", "user", "login", "email" };
	struct sbuf b = { out, 0, len };
	bool is_cred = false;
	if (!len)
		return false;
	out[0] = 0;
	for (size_t i = 0; i < n;) {
		size_t s = i;
		while (i < n && p[i] != '=' && p[i] != '&')
			i++;
		size_t nl = i - s;
		while (i < n && p[i] != '&')
			i++;
		i++;
		if (!nl || nl > 40)
			continue;
		char name[41];
		for (size_t k = 0; k < nl; k++)
			name[k] = p[s + k] < 0x21 || p[s + k] > 0x7e || p[s + k] == ',' ? '.' : (char)p[s + k];
		for (size_t k = 0; k < sizeof cred / sizeof *cred; k++)
			is_cred |= find_ci(name, nl, cred[k]) != NULL;
		if (b.len)
			sb_put(&b, ",", 1);
		sb_put(&b, name, nl);
	}
	return is_cred;
}

/* ---- content types and names ---- */

/* The media type of a Content-Type value: up to ';', trimmed. */
static size_t media(const uint8_t **p, size_t n)
{
	while (n && (**p == ' ' || **p == '\t'))
		(*p)++, n--;
	size_t m = 0;
	while (m < n && (*p)[m] != ';' && (*p)[m] != ' ')
		m++;
	return m;
}

static bool ctype_in(const uint8_t *p, size_t n, const char *const *set, size_t k)
{
	size_t m = media(&p, n);
	for (size_t i = 0; i < k; i++)
		if (m == strlen(set[i]) && rp_starts_ci(p, m, set[i]))
			return true;
	return false;
}

bool http_ctype_exec(const uint8_t *p, size_t n)
{
	static const char *const set[] = {
		"application/x-msdownload", "application/x-dosexec", "application/x-msdos-program",
		"application/x-ms-dos-executable", "application/vnd.microsoft.portable-executable",
		"application/x-executable", "application/x-elf", "application/x-sharedlib",
		"application/java-vm", "application/x-java-vm", "application/java-archive",
		"application/x-java-archive", "application/x-java-applet",
	};
	return ctype_in(p, n, set, sizeof set / sizeof *set);
}

bool http_ctype_plugin(const uint8_t *p, size_t n)
{
	static const char *const set[] = { "application/x-shockwave-flash", "application/x-silverlight-app",
					   "application/x-silverlight", "application/pdf" };
	return ctype_in(p, n, set, sizeof set / sizeof *set);
}

bool http_ctype_octet(const uint8_t *p, size_t n)
{
	static const char *const set[] = { "application/octet-stream", "binary/octet-stream",
					   "application/binary" };
	return ctype_in(p, n, set, sizeof set / sizeof *set);
}

bool http_ctype_package(const uint8_t *p, size_t n)
{
	static const char *const set[] = {
		"application/x-debian-package", "application/vnd.debian.binary-package",
		"application/x-rpm", "application/x-redhat-package-manager",
	};
	return ctype_in(p, n, set, sizeof set / sizeof *set);
}

bool http_ctype_html(const uint8_t *p, size_t n)
{
	static const char *const set[] = { "text/html", "application/xhtml+xml" };
	return ctype_in(p, n, set, sizeof set / sizeof *set);
}

bool http_ctype_form(const uint8_t *p, size_t n)
{
	static const char *const set[] = { "application/x-www-form-urlencoded" };
	return ctype_in(p, n, set, sizeof set / sizeof *set);
}

/* The path part of a URI or name (before '?' or '#'). */
static size_t path_len(const uint8_t *p, size_t n)
{
	size_t q = 0;
	while (q < n && p[q] != '?' && p[q] != '#' && p[q] != '"' && p[q] != ';')
		q++;
	return q;
}

static bool ends_in(const uint8_t *p, size_t n, const char *const *ext, size_t k)
{
	size_t q = path_len(p, n);
	for (size_t i = 0; i < k; i++) {
		size_t el = strlen(ext[i]);
		if (q >= el && rp_starts_ci(p + q - el, el, ext[i]))
			return true;
	}
	return false;
}

bool http_name_exec(const uint8_t *p, size_t n)
{
	static const char *const ext[] = { ".exe", ".dll", ".scr", ".msi", ".bin", ".jar", ".class",
					   ".swf", ".xap", ".elf", ".so" };
	return ends_in(p, n, ext, sizeof ext / sizeof *ext);
}

bool http_name_package(const uint8_t *p, size_t n)
{
	static const char *const ext[] = { ".deb", ".rpm", ".udeb" };
	return ends_in(p, n, ext, sizeof ext / sizeof *ext);
}

bool http_ua_package(const uint8_t *p, size_t n)
{
	static const char *const ua[] = { "Debian APT", "APT-HTTP", "apt/", "urlgrabber", "yum/",
					  "libdnf", "dnf/", "zypper", "pacman" };
	for (size_t i = 0; i < sizeof ua / sizeof *ua; i++)
		if (find_ci((const char *)p, n, ua[i]))
			return true;
	return false;
}

size_t http_disposition_name(const uint8_t *p, size_t n, const uint8_t **name)
{
	const char *f = find_ci((const char *)p, n, "filename");
	if (!f)
		return 0;
	size_t i = (size_t)((const uint8_t *)f - p) + 8;
	if (i < n && p[i] == '*')
		i++;
	while (i < n && (p[i] == ' ' || p[i] == '='))
		i++;
	if (i < n && p[i] == '"')
		i++;
	size_t s = i;
	while (i < n && p[i] != '"' && p[i] != ';')
		i++;
	/* filename*=UTF-8''name */
	for (size_t k = s; k + 1 < i; k++)
		if (p[k] == '\'' && p[k + 1] == '\'') {
			s = k + 2;
			break;
		}
	*name = p + s;
	return i - s;
}
