/*
 * test_web_html.c - the web pages' escaping helpers (src/web/html.c),
 * byte by byte: every markup character in text and attributes, invalid
 * UTF-8 and control characters, URL components, JSON strings (which must
 * never be readable as markup either), and the buffer's growth.
 */
#include <stdlib.h>

#include "harness.h"
#include "web/html.h"

static char *txt(void (*fn)(struct wbuf *, const char *), const char *in)
{
	static struct wbuf b;
	wb_free(&b);
	fn(&b, in);
	return b.p ? b.p : "";
}

int main(void)
{
	TEST("html_txt escapes markup") {
		CHECK_STR(txt(html_txt, "<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
		CHECK_STR(txt(html_txt, "a&b"), "a&amp;b");
		CHECK_STR(txt(html_txt, "\"'"), "&quot;&#39;");
		CHECK_STR(txt(html_txt, "plain text, tab\there"), "plain text, tab\there");
	}
	TEST("html_attr cannot leave its quotes") {
		CHECK_STR(txt(html_attr, "x\" onmouseover=\"alert(1)"), "x&quot; onmouseover=&quot;alert(1)");
		CHECK_STR(txt(html_attr, "javascript:alert('3')"), "javascript:alert(&#39;3&#39;)");
	}
	TEST("invalid UTF-8 and controls become U+FFFD") {
		CHECK_STR(txt(html_txt, "a\xff" "b"), "a\xEF\xBF\xBD" "b");
		CHECK_STR(txt(html_txt, "\xC0\xBC"), "\xEF\xBF\xBD\xEF\xBF\xBD");         /* overlong '<' */
		CHECK_STR(txt(html_txt, "\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");   /* surrogate */
		CHECK_STR(txt(html_txt, "\x1b[31m"), "\xEF\xBF\xBD[31m");
		CHECK_STR(txt(html_txt, "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"), "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
		CHECK_STR(txt(html_txt, "\xE2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");           /* cut */
	}
	TEST("html_url encodes all but unreserved") {
		CHECK_STR(txt(html_url, "a b&c=d/<>\"'"), "a%20b%26c%3Dd%2F%3C%3E%22%27");
		CHECK_STR(txt(html_url, "10.0.0.1"), "10.0.0.1");
		CHECK_STR(txt(html_url, "\xC3\xA9"), "%C3%A9");
	}
	TEST("json_str") {
		CHECK_STR(txt(json_str, "a\"b\\c\n"), "\"a\\\"b\\\\c\\u000a\"");
		CHECK_STR(txt(json_str, "</script>"), "\"\\u003c/script\\u003e\"");
		CHECK_STR(txt(json_str, "x\xffy"), "\"x\\ufffdy\"");
		CHECK_STR(txt(json_str, NULL), "\"\"");
	}
	TEST("buffer growth and printf") {
		struct wbuf b = { 0 };
		for (int i = 0; i < 10000; i++)
			wb_printf(&b, "%d,", i);
		CHECK(!b.oom);
		CHECK(b.len > 40000);
		CHECK(b.p[b.len] == '\0');
		wb_free(&b);
		wb_printf(&b, "%s", "");
		CHECK(b.len == 0);
		char big[1000];
		memset(big, 'x', sizeof big - 1);
		big[sizeof big - 1] = '\0';
		wb_printf(&b, "[%s]", big);
		CHECK(b.len == 1001);
		wb_free(&b);
	}
	txt(html_txt, "");
	return harness_report("web_html");
}
