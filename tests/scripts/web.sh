#!/bin/sh
# web.sh - `botlens serve` over HTTP with curl: tokens, 401/403 without one, uploads
# (raw and multipart, 201 and the same file again, 413, 0 bytes, truncated multipart,
# a non-capture, a damaged capture, a slow client), a run reaching done, the pages
# (list, search, run page, flows filter, downloads as attachments, compare, families,
# clusters, status), the security headers, the XSS capture rendered as text, the login
# form with its CSRF token, the per-client upload limit, TLS, a clean stop.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/weblib.sh"

if ! command -v curl >/dev/null || ! command -v python3 >/dev/null; then
	skip "curl or python3 missing"
	report web
	exit
fi
D=$TMP/data
mkdir -p "$D"

# ---- tokens ----
bl token add alice --token-file "$D/tokens"
TOKEN=$(cat "$TMP/out")
checkc "token add prints 64 hex digits" 'echo "$TOKEN" | grep -qE "^[0-9a-f]{64}$"'
checkc "the token file holds the hash, not the token" \
	'grep -q "^alice [0-9a-f]\{64\}$" "$D/tokens" && ! grep -q "$TOKEN" "$D/tokens"'
checkc "token file mode 0600" '[ "$(stat -c %a "$D/tokens")" = 600 ]'
bl token add "bad name" --token-file "$D/tokens"
check "token add: a bad name is a usage error" [ "$RC" -eq 2 ]

# a model for the families page and classify: synthetic families as behavior.sh
mkdir -p "$TMP/rep"
for f in f1 f2 f3; do gen_family "$TMP/rep" $f 10; done
"$BOTLENS" learn "$TMP/rep" -o "$TMP/model.txt" 2>/dev/null

"$BOTLENS" synth --scenario storm-private -o "$TMP/storm.pcap" 2>/dev/null
python3 tests/scripts/xss_pcap.py "$TMP/xss.pcap"

serve_start "$D" --workers 2 --timeout 3 --max-upload 3000000 --uploads-per-client 1 --model "$TMP/model.txt"
check "serve starts and writes its address" [ -n "$ADDR" ]
need_server web
checkc "serve binds 127.0.0.1" 'case "$ADDR" in 127.0.0.1:*) true ;; *) false ;; esac'

# ---- access ----
http GET /
checkc "a page without a session goes to the login page" '[ "$HC" = 303 ] && grep -qi "^location: /login" "$TMP/hdr"'
http GET /api/v1/runs
check "API read without a token: 401" [ "$HC" = 401 ]
http POST "/api/v1/runs?name=x.pcap" --data-binary @"$TMP/storm.pcap"
check "upload without a token: 401" [ "$HC" = 401 ]
http POST "/api/v1/runs?name=x.pcap" -H "Authorization: Bearer 00$TOKEN" --data-binary @"$TMP/storm.pcap"
check "upload with a wrong token: 401" [ "$HC" = 401 ]
http POST "/api/v1/runs?name=x.pcap" -H "Authorization: Bearer 00$TOKEN" --limit-rate 1M --data-binary @"$TMP/storm.pcap"
check "a refused upload still sending its body gets the 401, not a reset" [ "$HC" = 401 ]
http GET /static/style.css
check "static files need no token" [ "$HC" = 200 ]
http GET /runs/1/../../etc/passwd -H "Authorization: Bearer $TOKEN" --path-as-is
check "no path from the URL: 404" [ "$HC" = 404 ]

# ---- upload, dedupe, done ----
AUTH="Authorization: Bearer $TOKEN"
http POST "/api/v1/runs?name=storm.pcap&tags=storm+test" -H "$AUTH" --data-binary @"$TMP/storm.pcap"
check "raw upload: 201" [ "$HC" = 201 ]
ID=$(api_json id)
SHA=$(sha256sum "$TMP/storm.pcap" | cut -c1-64)
checkc "the 201 names the file's SHA-256" '[ "$(api_json sha256)" = "$SHA" ]'
http POST "/api/v1/runs" -H "$AUTH" -F "file=@$TMP/storm.pcap" -F type=capture
checkc "the same file again (multipart): the same run, existed" \
	'[ "$HC" = 200 ] && [ "$(api_json id)" = "$ID" ] && [ "$(api_json existed)" = True ]'
checkc "the uploaded bytes are stored under their hash" '[ -f "$D/blobs/$(echo $SHA | cut -c1-2)/$SHA" ] || find "$D/blobs" -name "$SHA*" | grep -q .'
wait_run "$ID" 240
check "the storm run reaches done" [ "$RUN_STATUS" = done ]

# ---- pages ----
http GET "/runs/$ID" -H "$AUTH"
check "run page: 200" [ "$HC" = 200 ]
checkc "run page: spam and p2p behaviors" 'grep -q ">spam<" "$TMP/body" && grep -q ">p2p<" "$TMP/body"'
checkc "run page: the plot" 'grep -q "src=\"/runs/$ID/files/plot.png?inline=1\"" "$TMP/body"'
checkc "run page: timeline, notable endpoints, port findings, flows" \
	'grep -q "class=\"timeline\"" "$TMP/body" && grep -q "Notable endpoints" "$TMP/body" && grep -q "Port findings" "$TMP/body" && grep -q "id=\"flowtable\"" "$TMP/body"'
checkc "every page: CSP, nosniff, no framing" \
	'grep -qi "^content-security-policy: default-src .self.;" "$TMP/hdr" && grep -qi "^x-content-type-options: nosniff" "$TMP/hdr" && grep -qi "frame-ancestors .none." "$TMP/hdr"'
checkc "no inline script or style" '! grep -qiE "<script>|<style|style=|onload=|onclick=" "$TMP/body"'
all=$(sed -n 's/.*id="flowcount">\([0-9]*\) flow.*/\1/p' "$TMP/body")
http GET "/runs/$ID?proto=6" -H "$AUTH"
tcp=$(sed -n 's/.*id="flowcount">\([0-9]*\) flow.*/\1/p' "$TMP/body")
checkc "flows filter by protocol narrows the table ($tcp of $all)" '[ -n "$tcp" ] && [ "$tcp" -gt 0 ] && [ "$tcp" -lt "$all" ]'
http GET "/runs/$ID?addr=192.168.152.136&port=25" -H "$AUTH"
smtp=$(sed -n 's/.*id="flowcount">\([0-9]*\) flow.*/\1/p' "$TMP/body")
checkc "flows filter by address and port ($smtp)" '[ -n "$smtp" ] && [ "$smtp" -gt 0 ] && [ "$smtp" -lt "$tcp" ]'
http GET "/runs/$ID/files/plot.png?inline=1" -H "$AUTH"
checkc "the plot shows inline as PNG" '[ "$HC" = 200 ] && grep -qi "^content-type: image/png" "$TMP/hdr" && head -c 4 "$TMP/body" | grep -q PNG'
http GET "/runs/$ID/files/report.html" -H "$AUTH"
checkc "downloads are attachments" '[ "$HC" = 200 ] && grep -qi "^content-disposition: attachment" "$TMP/hdr"'
http GET "/runs/$ID/original" -H "$AUTH"
checkc "the original download is the uploaded file" '[ "$HC" = 200 ] && [ "$(sha256sum < "$TMP/body" | cut -c1-64)" = "$SHA" ]'
http GET "/api/v1/runs/$ID/results/report.json" -H "$AUTH"
checkc "API result: the report JSON" '[ "$HC" = 200 ] && python3 -c "import json,sys; json.load(open(sys.argv[1]))[\"hosts\"]" "$TMP/body"'
for q in spam storm "$(echo $SHA | cut -c1-10)" 192.168.152.136 test; do
	http GET "/?q=$q" -H "$AUTH"
	checkc "runs list: search '$q' finds the run" 'grep -q "href=\"/runs/$ID\"" "$TMP/body"'
done
http GET "/?q=nosuchthing" -H "$AUTH"
checkc "runs list: a search without matches" '! grep -q "href=\"/runs/$ID\"" "$TMP/body"'
http GET "/?sort=size&desc=0&page=1" -H "$AUTH"
check "runs list sorted by size" [ "$HC" = 200 ]
http GET "/status" -H "$AUTH"
checkc "status page" '[ "$HC" = 200 ] && grep -q "<th>runs</th>" "$TMP/body"'
http GET "/families" -H "$AUTH"
checkc "families page: the model's families with n-grams" 'grep -q "class=\"family\">f1<" "$TMP/body" && grep -q "<code>" "$TMP/body"'
checkc "families page: says how the model answers unknown (no -inf threshold)" 'grep -q "answered unknown when" "$TMP/body" && ! grep -q "inf" "$TMP/body"'

# a behavior report: classified against the model
REP=$(ls "$TMP/rep"/f2r0.f2)
http POST "/api/v1/runs?name=sample.txt&type=report" -H "$AUTH" --data-binary @"$REP"
RID=$(api_json id)
wait_run "$RID" 120
check "a behavior report reaches done" [ "$RUN_STATUS" = done ]
checkc "its family is f2" '[ "$(api_json family)" = f2 ]'
for f in f1r1.f1 f1r2.f1 f1r3.f1 f3r1.f3 f3r2.f3 f3r3.f3; do
	http POST "/api/v1/runs?name=$f&type=report" -H "$AUTH" --data-binary @"$TMP/rep/$f"
	LAST=$(api_json id)
done
wait_run "$LAST" 120
i=0
while [ $i -lt 60 ]; do   # the store-wide cluster job follows the reports
	http GET /clusters -H "$AUTH"
	grep -q 'id="clusters"' "$TMP/body" && break
	sleep 1
	i=$((i + 1))
done
checkc "clusters page: clusters of the uploaded reports with their members" \
	'grep -q "id=\"clusters\"" "$TMP/body" && grep -q "href=\"/runs/$LAST\"" "$TMP/body"'

# ---- the XSS capture ----
http POST "/api/v1/runs?name=%3Cscript%3Ealert(0)%3Cx%3E.pcap" -H "$AUTH" --data-binary @"$TMP/xss.pcap"
XID=$(api_json id)
wait_run "$XID" 120
check "the XSS capture reaches done" [ "$RUN_STATUS" = done ]
http GET "/runs/$XID" -H "$AUTH"
checkc "XSS: hostile strings are in the page, escaped" \
	'grep -q "HELO &lt;script&gt;alert(8)&lt;/script&gt;" "$TMP/body" && grep -q "&quot;&gt;&lt;svg onload=alert(7)&gt;" "$TMP/body"'
checkc "XSS: no raw markup from the capture" \
	'! grep -qE "<script>alert|<svg onload|<img src=x|\"onmouseover=\"" "$TMP/body" && ! grep -qF "alert(6)//\"'"'"'<b>" "$TMP/body"'
http GET "/?q=$XID" -H "$AUTH"
http GET "/" -H "$AUTH"
checkc "XSS: the file name is escaped in the list" 'grep -q "&lt;script&gt;alert(0)&lt;x&gt;.pcap" "$TMP/body" && ! grep -q "<script>alert(0)" "$TMP/body"'
http GET "/api/v1/runs/$XID" -H "$AUTH"
checkc "XSS: the API's JSON escapes < and >" '! grep -q "<script>" "$TMP/body" && grep -q "u003cscript" "$TMP/body"'

# ---- bad input ----
: >"$TMP/empty"
http POST "/api/v1/runs?name=empty" -H "$AUTH" --data-binary @"$TMP/empty"
checkc "0-byte upload: 400 with a message" '[ "$HC" = 400 ] && grep -q empty "$TMP/body"'
head -c 3100000 /dev/zero >"$TMP/big"
http POST "/api/v1/runs?name=big" -H "$AUTH" --data-binary @"$TMP/big"
check "oversized upload (Content-Length): 413" [ "$HC" = 413 ]
http POST "/api/v1/runs?name=big" -H "$AUTH" -H "Transfer-Encoding: chunked" --data-binary @"$TMP/big"
check "oversized upload (chunked): 413" [ "$HC" = 413 ]
python3 - "$TMP/trunc" <<'PY'
import sys
b = b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="t.pcap"\r\nContent-Type: application/octet-stream\r\n\r\n' + b'\xd4\xc3\xb2\xa1' + b'\0' * 3000
open(sys.argv[1], 'wb').write(b)   # no closing boundary
PY
http POST /api/v1/runs -H "$AUTH" -H "Content-Type: multipart/form-data; boundary=XyZ" --data-binary @"$TMP/trunc"
checkc "truncated multipart: 400" '[ "$HC" = 400 ]'
echo "this is not a capture, just text" >"$TMP/notcap.txt"
http POST "/api/v1/runs?name=notcap.txt" -H "$AUTH" --data-binary @"$TMP/notcap.txt"
NID=$(api_json id)
wait_run "$NID" 120
checkc "a non-capture: the job fails with the reader's error" '[ "$RUN_STATUS" = failed ] && [ -n "$(api_json error)" ]'
echo "   ($(api_json error))"
{ printf '\324\303\262\241\002\000\004\000'; head -c 5000 /dev/urandom; } >"$TMP/damaged.pcap"
http POST "/api/v1/runs?name=damaged.pcap" -H "$AUTH" --data-binary @"$TMP/damaged.pcap"
DID=$(api_json id)
wait_run "$DID" 120
checkc "a malformed capture ends (failed or done), the server fine ($RUN_STATUS)" '[ "$RUN_STATUS" = failed ] || [ "$RUN_STATUS" = done ]'
# a slow client: headers never finished; the server closes it after --timeout (3 s)
python3 - "$ADDR" >"$TMP/slow" <<'PY'
import socket, sys, time
h, p = sys.argv[1].rsplit(':', 1)
s = socket.create_connection((h, int(p)))
s.sendall(b'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n')
s.settimeout(15)
t = time.time()
try:
    d = s.recv(100)
except Exception:
    d = b'?'
print('closed' if d == b'' else 'open', round(time.time() - t))
PY
checkc "a slow client is cut off by the timeout ($(cat "$TMP/slow"))" 'grep -q "^closed" "$TMP/slow"'
http GET /static/app.js
check "after all that the server still serves" [ "$HC" = 200 ]
checkc "nothing half-stored in tmp/" '[ -z "$(ls -A "$D/tmp" 2>/dev/null)" ]'

# ---- per-client limit (1 here): an upload in progress holds the slot ----
python3 - "$ADDR" "$TOKEN" >"$TMP/limit" <<'PY'
import http.client, socket, sys, time
h, p = sys.argv[1].rsplit(':', 1)
s = socket.create_connection((h, int(p)))
s.sendall(('POST /api/v1/runs?name=held HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n'
           'Content-Length: 100000\r\n\r\n' % sys.argv[2]).encode() + b'\xd4\xc3\xb2\xa1' + bytes(996))
time.sleep(1)
c = http.client.HTTPConnection(h, int(p), timeout=30)
c.request('POST', '/api/v1/runs?name=second', body=b'second upload', headers={'Authorization': 'Bearer ' + sys.argv[2]})
print(c.getresponse().status)
s.close()
PY
check "a second concurrent upload from one address: 429 ($(cat "$TMP/limit"))" [ "$(cat "$TMP/limit")" = 429 ]
sleep 0.5
http POST "/api/v1/runs?name=third" -H "$AUTH" --data-binary "third upload"
check "the slot is free again once the first upload ends (a client gone: nothing stored)" [ "$HC" = 201 ]
checkc "the abandoned upload left nothing in tmp/" '[ -z "$(ls -A "$D/tmp" 2>/dev/null)" ]'

# ---- the form: login, CSRF, upload, delete ----
http POST /login --data-urlencode "token=wrong"
check "login with a wrong token: 401" [ "$HC" = 401 ]
http POST /login -c "$TMP/jar" --data-urlencode "token=$TOKEN"
checkc "login: a session cookie, HttpOnly and SameSite=Strict" \
	'[ "$HC" = 303 ] && grep -i "^set-cookie: bl_session=" "$TMP/hdr" | grep -i httponly | grep -qi "samesite=strict"'
http GET /upload -b "$TMP/jar"
CSRF=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$TMP/body" | head -1)
checkc "the upload form carries a CSRF token" '[ ${#CSRF} -eq 64 ]'
echo "form upload" >"$TMP/form.txt"
http POST /upload -b "$TMP/jar" -F "file=@$TMP/form.txt"
check "form upload without the CSRF token: 403" [ "$HC" = 403 ]
http POST /upload -b "$TMP/jar" -F "csrf=$CSRF" -F type=report --form-string "label=<i>lbl</i>" -F "file=@$TMP/form.txt"
FLOC=$(sed -n 's/^[Ll]ocation: \(\/runs\/[0-9]*\).*/\1/p' "$TMP/hdr" | tr -d '\r')
checkc "form upload with it: 303 to the run page" '[ "$HC" = 303 ] && [ -n "$FLOC" ]'
http GET "$FLOC" -b "$TMP/jar"
checkc "the form's run page shows the label escaped" '[ "$HC" = 200 ] && grep -q "&lt;i&gt;lbl&lt;/i&gt;" "$TMP/body"'
http POST "$FLOC/delete" -b "$TMP/jar" -d "csrf=0000"
check "delete with a wrong CSRF token: 403" [ "$HC" = 403 ]
http POST "$FLOC/delete" -b "$TMP/jar" -d "csrf=$CSRF"
check "delete with it: 303" [ "$HC" = 303 ]
http GET "$FLOC" -b "$TMP/jar"
check "the deleted run is gone" [ "$HC" = 404 ]
http DELETE "/api/v1/runs/$NID" -H "$AUTH"
check "API delete: 200" [ "$HC" = 200 ]
http DELETE "/api/v1/runs/$NID" -H "$AUTH"
check "API delete again: 404" [ "$HC" = 404 ]
http GET "/compare?a=$ID&b=$XID" -H "$AUTH"
checkc "compare: both runs and the kinds only in one" '[ "$HC" = 200 ] && grep -q "id=\"diff\"" "$TMP/body" && grep -q "/runs/$XID/files/plot.png" "$TMP/body"'

serve_stop TERM
check "SIGTERM: serve exits 0" [ "$SRC" -eq 0 ]

# ---- read-only server, public read ----
serve_start "$D" --workers 0 --public-read --token-file /dev/null
http GET /
check "--public-read: pages open" [ "$HC" = 200 ]
http POST "/api/v1/runs?name=x" -H "$AUTH" --data-binary @"$TMP/notcap.txt"
check "--public-read: writes still need a token" [ "$HC" = 401 ]
PORT=${ADDR##*:}
http GET / -H "Host: rebind.example:$PORT"
check "DNS rebinding: a loopback server refuses a Host of another name (403)" [ "$HC" = 403 ]
http GET /api/v1/runs -H "Host: rebind.example"
check "DNS rebinding: ... also on the API" [ "$HC" = 403 ]
http GET / -H "Host: localhost:$PORT"
check "Host localhost is the loopback's own name" [ "$HC" = 200 ]
http GET / -H "Host: [::1]:$PORT"
check "Host [::1] is a loopback literal" [ "$HC" = 200 ]
serve_stop
serve_start "$D" --workers 0 --public-read --token-file /dev/null --allow-host botlens.lab
http GET / -H "Host: botlens.lab:$PORT"
check "--allow-host NAME: that name is answered" [ "$HC" = 200 ]
http GET / -H "Host: other.lab"
check "--allow-host NAME: other names still refused" [ "$HC" = 403 ]
serve_stop
# ---- token guessing: 10 refused tokens from one address block it for a minute ----
serve_start "$D" --workers 0
i=0
while [ $i -lt 10 ]; do
	http POST /login --data-urlencode "token=guess$i"
	[ "$HC" = 401 ] || break
	i=$((i + 1))
done
check "token guessing: the first 10 wrong tokens are refused (401)" [ $i -eq 10 ]
http POST /login --data-urlencode "token=$TOKEN"
check "token guessing: then even the right token gets 429, unchecked" [ "$HC" = 429 ]
http GET /api/v1/runs -H "Authorization: Bearer $TOKEN"
check "token guessing: ... on the API too" [ "$HC" = 429 ]
serve_stop
serve_start "$D" --workers 0
http GET /api/v1/runs -H "Authorization: Bearer $TOKEN"
check "token guessing: the block is per server process, in memory (a restart clears it)" [ "$HC" = 200 ]
serve_stop
"$BOTLENS" serve --allow-host 'a:80' --data "$D" >/dev/null 2>&1
check "--allow-host with a port is a usage error (exit 2)" [ $? -eq 2 ]

# ---- TLS ----
if command -v openssl >/dev/null; then
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost -keyout "$TMP/key.pem" \
		-out "$TMP/cert.pem" >/dev/null 2>&1
	serve_start "$D" --workers 0 --tls-cert "$TMP/cert.pem" --tls-key "$TMP/key.pem"
	HC=$(curl -sk -o /dev/null -D "$TMP/hdr" -w '%{http_code}' --data-urlencode "token=$TOKEN" "https://$ADDR/login")
	checkc "TLS: HTTPS login, the cookie is Secure" '[ "$HC" = 303 ] && grep -i "^set-cookie:" "$TMP/hdr" | grep -qi secure'
	serve_stop
else
	skip "openssl missing: no TLS test"
fi
serve_log_check
report web
