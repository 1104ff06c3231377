#!/usr/bin/env python3
"""report_truth.py REPORT.json TRUTH.json ROLES BACKEND_ROLES
Checks a `botlens report --format json` of a synth run against its
ground-truth sidecar: every truth behavior kind found with a start within
5 s, the host's role in ROLES (comma-separated), the truth hosts whose
role is in BACKEND_ROLES ranked among the top 3 notable endpoints (or the
top N when there are more), and no malicious behavior when ROLES is
"client".  Prints one line per failure; exits 1 on any."""
import json, sys

rep, truth = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
roles, backend_roles = sys.argv[3].split(","), [r for r in sys.argv[4].split(",") if r]
fail = []
h = rep["hosts"][0]
for tb in truth["behaviors"]:
    got = [b for b in h["behaviors"] if b["kind"] == tb["kind"]]
    if not any(abs(b["start"] - tb["start"]) <= 5 for b in got):
        fail.append("behavior %s at %.1f s not found (got %s)" % (tb["kind"], tb["start"], [round(b["start"], 1) for b in got]))
if h["role"] not in roles:
    fail.append("role %s not in %s" % (h["role"], roles))
backends = [x["address"] for x in truth["hosts"] if x["role"] in backend_roles]
top = [n["address"] for n in h["notable"][:max(3, len(backends))]]
for b in backends:
    if b not in top:
        fail.append("backend %s not in the top notable %s" % (b, top))
if "client" in roles:
    bad = [b["kind"] for b in h["behaviors"] if b["malicious"]]
    if bad:
        fail.append("malicious behaviors claimed on a benign run: %s" % bad)
for f in fail:
    print("FAIL:", f)
sys.exit(1 if fail else 0)
