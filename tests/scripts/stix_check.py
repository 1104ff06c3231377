#!/usr/bin/env python3
"""stix_check.py BUNDLE.json [--expect-malware] - checks a STIX 2.1 bundle
(one per line, or one indented document) against the required properties
of STIX 2.1 (OASIS, 2021): section 3 common properties, 4 SDOs, 5 SROs,
6 SCOs, 9.2 patterning (bracketed comparison).  Independent of botlens:
it only knows the specification.  Exit 0 when every bundle is valid."""
import json
import re
import sys
import uuid

TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
ID = re.compile(r"^([a-z0-9][a-z0-9-]+[a-z0-9])--([0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})$")
SCO = {"ipv4-addr", "ipv6-addr", "domain-name", "url", "file", "email-addr", "x509-certificate", "network-traffic"}
SCO_NS = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")
REQUIRED = {
    "indicator": ["pattern", "pattern_type", "valid_from"],
    "malware": ["is_family"],
    "infrastructure": ["name"],
    "identity": ["name"],
    "observed-data": ["first_observed", "last_observed", "number_observed", "object_refs"],
    "relationship": ["relationship_type", "source_ref", "target_ref"],
}
errors = []


def err(msg):
    errors.append(msg)


def check_obj(o, ids):
    t = o.get("type")
    m = ID.match(o.get("id", ""))
    if not m or m.group(1) != t:
        err(f"bad id {o.get('id')!r} for type {t!r}")
    if t in SCO:
        if o.get("spec_version", "2.1") != "2.1":
            err(f"{o['id']}: spec_version")
        if "value" in o and t in ("ipv4-addr", "ipv6-addr", "domain-name"):
            want = uuid.uuid5(SCO_NS, json.dumps({"value": o["value"]}, separators=(",", ":"), ensure_ascii=False))
            if m and m.group(2) != str(want):
                err(f"{o['id']}: not the deterministic SCO id {want}")
        return
    if o.get("spec_version") != "2.1":
        err(f"{o.get('id')}: spec_version must be '2.1'")
    for k in ("created", "modified"):
        if not TS.match(str(o.get(k, ""))):
            err(f"{o.get('id')}: {k} is not a STIX timestamp")
    if o.get("modified", "") < o.get("created", ""):
        err(f"{o.get('id')}: modified before created")
    if t not in REQUIRED:
        err(f"{o.get('id')}: unexpected type {t}")
        return
    for k in REQUIRED[t]:
        if k not in o:
            err(f"{o['id']}: missing {k}")
    if "created_by_ref" in o and o["created_by_ref"] not in ids:
        err(f"{o['id']}: created_by_ref does not resolve")
    if t == "indicator":
        p = o.get("pattern", "")
        if not (p.startswith("[") and p.endswith("]") and re.search(r"[a-z0-9-]+:\S+ (=|LIKE) '", p)):
            err(f"{o['id']}: pattern {p!r}")
        if o.get("pattern_type") != "stix" or not TS.match(o.get("valid_from", "")):
            err(f"{o['id']}: pattern_type/valid_from")
    elif t == "malware":
        if not isinstance(o.get("is_family"), bool) or (o["is_family"] and "name" not in o):
            err(f"{o['id']}: is_family/name")
    elif t == "observed-data":
        if not TS.match(o.get("first_observed", "")) or not TS.match(o.get("last_observed", "")):
            err(f"{o['id']}: observed times")
        if not 1 <= o.get("number_observed", 0) <= 999999999:
            err(f"{o['id']}: number_observed")
        if not o.get("object_refs") or any(r not in ids for r in o["object_refs"]):
            err(f"{o['id']}: object_refs empty or dangling")
    elif t == "relationship":
        for k in ("source_ref", "target_ref"):
            if o.get(k) not in ids:
                err(f"{o['id']}: {k} dangling")


def check_bundle(b, expect_malware):
    if b.get("type") != "bundle" or not ID.match(b.get("id", "")) or not b["id"].startswith("bundle--"):
        err("not a bundle")
        return
    objs = b.get("objects", [])
    ids = [o.get("id") for o in objs]
    if len(ids) != len(set(ids)):
        err("duplicate ids")
    ids = set(ids)
    for o in objs:
        check_obj(o, ids)
    types = {o["type"] for o in objs}
    if expect_malware:
        for t in ("malware", "indicator", "relationship", "observed-data"):
            if t not in types:
                err(f"no {t} object")
        rels = {o["relationship_type"] for o in objs if o["type"] == "relationship"}
        if "indicates" not in rels:
            err("no indicator indicates malware")


def main():
    text = open(sys.argv[1]).read()
    expect = "--expect-malware" in sys.argv
    try:
        bundles = [json.loads(text)]
    except json.JSONDecodeError:
        bundles = [json.loads(line) for line in text.splitlines() if line.strip()]
    for b in bundles:
        check_bundle(b, expect)
    for e in errors[:20]:
        print("stix_check:", e, file=sys.stderr)
    return 1 if errors or not bundles else 0


if __name__ == "__main__":
    sys.exit(main())
