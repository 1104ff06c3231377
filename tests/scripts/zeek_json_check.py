#!/usr/bin/env python3
"""zeek_json_check.py ASCII_DIR JSON_DIR - the logs of `report --zeek-logs-json` say what the ASCII
ones of `report --zeek-logs` say, as Zeek's JSON form does (LogAscii::use_json=T): one object per
line, row for row; unset fields ('-') left out, empty strings "", sets and vectors as arrays,
time, interval, count, port, int and double as numbers, bools as true/false. Exit 1 with the first
difference on stderr."""
import json, sys

LOGS = ['conn', 'notice', 'dns', 'http', 'ssl', 'smtp', 'files']


def ascii_rows(path):
    fields = types = None
    sep = ','
    rows = []
    for line in open(path, encoding='utf-8', errors='surrogateescape'):
        line = line.rstrip('\n')
        if line.startswith('#fields\t'):
            fields = line.split('\t')[1:]
        elif line.startswith('#types\t'):
            types = line.split('\t')[1:]
        elif line.startswith('#set_separator\t'):
            sep = line.split('\t')[1]
        elif line and not line.startswith('#'):
            rows.append(line.split('\t'))
    return fields, types, sep, rows


def unesc(s):
    return bytes(s, 'utf-8', 'surrogateescape').decode('unicode_escape') if '\\x' in s else s


def expect(v, typ, sep):
    if v == '-':
        return None
    if typ.startswith(('set[', 'vector[')):
        if v == '(empty)':
            return []
        inner = typ[typ.index('[') + 1:-1]
        return [expect(x, inner, sep) for x in v.split(sep)]
    if typ in ('time', 'interval', 'double'):
        return float(v)
    if typ in ('count', 'port', 'int'):
        return int(v)
    if typ == 'bool':
        return v == 'T'
    return '' if v == '(empty)' else unesc(v)


def same(a, b):
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(b, (int, float)) and abs(float(a) - float(b)) < 1e-6
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def check(adir, jdir, log):
    fields, types, sep, rows = ascii_rows('%s/%s.log' % (adir, log))
    jrows = [json.loads(l) for l in open('%s/%s.log' % (jdir, log)) if l.strip()]
    if len(rows) != len(jrows):
        return '%s.log: %d ASCII rows, %d JSON objects' % (log, len(rows), len(jrows))
    for i, (r, o) in enumerate(zip(rows, jrows)):
        if set(o) - set(fields):
            return '%s.log row %d: fields not in #fields: %s' % (log, i, sorted(set(o) - set(fields)))
        for f, t, v in zip(fields, types, r):
            want = expect(v, t, sep)
            if want is None:
                if f in o:
                    return '%s.log row %d: %s unset in ASCII, %r in JSON' % (log, i, f, o[f])
            elif f not in o or not same(want, o[f]):
                return '%s.log row %d: %s: ASCII %r, JSON %r' % (log, i, f, want, o.get(f))
    return None


bad = [e for e in (check(sys.argv[1], sys.argv[2], log) for log in LOGS) if e]
for e in bad[:1]:
    print(e, file=sys.stderr)
sys.exit(1 if bad else 0)
