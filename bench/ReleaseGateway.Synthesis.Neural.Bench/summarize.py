#!/usr/bin/python3
"""Median over seeds of the neural benchmark CSV, as the markdown table in docs/neural.md.
usage: summarize.py results.csv"""
import csv, statistics, sys
from collections import defaultdict

rows = list(csv.DictReader(open(sys.argv[1])))
groups = defaultdict(list)
for r in rows:
    groups[(r["table"], float(r["epsilon"]), r["method"])].append(r)
order = list(dict.fromkeys(r["table"] for r in rows))
print("| table | rows | eps | method | seeds | tvd1 | tvd2 | tvd3 | TSTR LR | TSTR RF | real LR / RF | wall s |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for t in order:
    for eps in sorted({k[1] for k in groups if k[0] == t}):
        for m in ("aim", "made", "mst"):
            g = groups.get((t, eps, m))
            if not g:
                continue
            med = lambda c: statistics.median(float(x[c]) for x in g)
            print(f"| {t} | {g[0]['rows']} | {eps:g} | {m} | {len(g)} | {med('tvd1'):.3f} | {med('tvd2'):.3f} | {med('tvd3'):.3f} | "
                  f"{med('tstr_lr'):.3f} | {med('tstr_rf'):.3f} | {med('real_lr'):.3f} / {med('real_rf'):.3f} | {med('wall_s'):.1f} |")
