#!/usr/bin/env python3
"""webload.py - a bounded load generator for `botlens serve` (the durability test and
bench/web_load.sh).

  webload.py upload ADDR TOKEN OUT CONC DELAY FILE...
      uploads every FILE once (raw POST /api/v1/runs, at most CONC at a time, the body sent
      in 32 KiB pieces DELAY seconds apart), appends "ID SHA256 HTTPCODE" to OUT for every
      201/200 as soon as it arrives (flushed: a kill -9 of the server loses none of them),
      prints "uploads: N ok, N errors, p50 X ms, p99 Y ms".
  webload.py read ADDR TOKEN CONC COUNT PATH...
      COUNT GET requests over the PATHs (round robin), CONC at a time, prints
      "reads: N ok, N errors, p50 X ms, p99 Y ms"."""
import hashlib, http.client, os, sys, threading, time

CHUNK = 32768


def pct(xs, p):
    if not xs:
        return 0.0
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p / 100.0))] * 1000


def upload_one(addr, token, path, delay):
    h, p = addr.rsplit(':', 1)
    data = open(path, 'rb').read()
    c = http.client.HTTPConnection(h, int(p), timeout=120)
    c.putrequest('POST', '/api/v1/runs?name=' + os.path.basename(path))
    c.putheader('Authorization', 'Bearer ' + token)
    c.putheader('Content-Type', 'application/octet-stream')
    c.putheader('Content-Length', str(len(data)))
    c.endheaders()
    for i in range(0, len(data), CHUNK):
        c.send(data[i:i + CHUNK])
        if delay:
            time.sleep(delay)
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, body, hashlib.sha256(data).hexdigest()


def run_pool(n, conc, fn):
    lock = threading.Lock()
    nxt = [0]

    def worker():
        while True:
            with lock:
                i = nxt[0]
                nxt[0] += 1
            if i >= n:
                return
            fn(i)
    ts = [threading.Thread(target=worker) for _ in range(min(conc, n))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


def cmd_upload(addr, token, out, conc, delay, files):
    lat, ok, err = [], [0], [0]
    lock = threading.Lock()
    f = open(out, 'a')

    def one(i):
        t = time.time()
        try:
            st, body, sha = upload_one(addr, token, files[i], delay)
        except Exception:
            with lock:
                err[0] += 1
            return
        with lock:
            lat.append(time.time() - t)
            if st in (200, 201):
                import json
                d = json.loads(body)
                f.write('%d %s %d\n' % (d['id'], sha, st))
                f.flush()
                os.fsync(f.fileno())
                ok[0] += 1
            else:
                err[0] += 1
    run_pool(len(files), conc, one)
    print('uploads: %d ok, %d errors, p50 %.1f ms, p99 %.1f ms' % (ok[0], err[0], pct(lat, 50), pct(lat, 99)))


def cmd_read(addr, token, conc, count, paths):
    h, p = addr.rsplit(':', 1)
    lat, ok, err = [], [0], [0]
    lock = threading.Lock()
    local = threading.local()

    def one(i):
        t = time.time()
        try:
            if not hasattr(local, 'c'):
                local.c = http.client.HTTPConnection(h, int(p), timeout=60)
            local.c.request('GET', paths[i % len(paths)], headers={'Authorization': 'Bearer ' + token})
            r = local.c.getresponse()
            r.read()
            good = r.status == 200
            if r.getheader('Connection', '').lower() == 'close':
                local.c.close()
                del local.c
        except Exception:
            good = False
            if hasattr(local, 'c'):
                local.c.close()
                del local.c
        with lock:
            lat.append(time.time() - t)
            if good:
                ok[0] += 1
            else:
                err[0] += 1
    t0 = time.time()
    run_pool(count, conc, one)
    el = time.time() - t0
    print('reads: %d ok, %d errors, p50 %.1f ms, p99 %.1f ms, %.1f s, %.0f requests/s' %
          (ok[0], err[0], pct(lat, 50), pct(lat, 99), el, count / el))


if __name__ == '__main__':
    a = sys.argv
    if len(a) > 6 and a[1] == 'upload':
        cmd_upload(a[2], a[3], a[4], int(a[5]), float(a[6]), a[7:])
    elif len(a) > 6 and a[1] == 'read':
        cmd_read(a[2], a[3], int(a[4]), int(a[5]), a[6:])
    else:
        sys.exit(__doc__)
