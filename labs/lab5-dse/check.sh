#!/usr/bin/env bash
# Lab 5 (design-space exploration): run the lab's commands, check the answers.
# Usage: labs/lab5-dse/check.sh [answers.toml]     (see labs/README.md)
LAB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/common.sh
source "$LAB_DIR/../lib/common.sh"
lab_setup "$@"

SWEEP="$LAB_DIR/dse.toml"
lab_run dry-run.txt sweep "$SWEEP" --dry-run
lab_run sweep.txt sweep "$SWEEP" --out dse --quiet
lab_run pareto.txt pareto dse/points.csv --minimize latency_ms,area_mm2 --out pareto.csv
lab_run plot-lines.txt plot dse/points.csv --kind lines --x arch.bit_serial.tiles --y latency_ms \
    --color base.arch --out lines.svg
lab_run plot-breakdown.txt plot dse/points.csv --kind breakdown --out breakdown.svg
for f in dse/latency-vs-area.svg dse/latency-vs-tiles.svg lines.svg breakdown.svg; do
    [ -s "$f" ] || lab_die "eyrie did not draw $f"
done
# Questions 8-9: the same sweep with 4-bit activations (the one-line change the README asks for).
sed 's/"arch.bit_serial.act_bits" = 8/"arch.bit_serial.act_bits" = 4/' "$SWEEP" >dse-4bit.toml
grep -q '"arch.bit_serial.act_bits" = 4' dse-4bit.toml || lab_die "could not make the 4-bit sweep from $SWEEP"
lab_run sweep-4bit.txt sweep dse-4bit.toml --out dse-4bit --quiet
lab_run pareto-4bit.txt pareto dse-4bit/points.csv --minimize latency_ms,area_mm2 --out pareto-4bit.csv

lab_grade <<'PY'
import sys
from labcheck import Q, grade, rows

answers, tmp = sys.argv[1], sys.argv[2]

def designs(path):
    out = {}
    for r in rows(path):
        if r["status"] != "ok":
            print(f"error: design point {r['id']} did not run: {r['error']}", file=sys.stderr)
            sys.exit(2)
        out[f"{r['base.arch']}-{r['arch.bit_serial.tiles']}"] = r
    return out

pts, pts4 = designs(f"{tmp}/dse/points.csv"), designs(f"{tmp}/dse-4bit/points.csv")
front, front4 = rows(f"{tmp}/pareto.csv"), rows(f"{tmp}/pareto-4bit.csv")
NAMES = [f"{a}-{t}" for a in ["dadiannao", "stripes"] for t in [4, 8, 12, 16, 24]]

def f(r, key):
    return float(r[key])

def pick(points, max_area, max_latency, by):
    ok = [n for n, r in points.items() if f(r, "area_mm2") <= max_area and f(r, "latency_ms") <= max_latency]
    return min(ok, key=lambda n: f(points[n], by)) if ok else None

chosen = pick(pts, 80, 0.7, "latency_ms")
PARTS = ["mac", "dram", "nm", "sb", "nbin", "nbout"]
largest_part = max(PARTS, key=lambda p: f(pts[chosen], p + "_energy_pj")) if chosen else None

questions = [
    Q("q1", len(pts), "eyrie sweep labs/lab5-dse/dse.toml --dry-run prints the number of points"),
    Q("q2", f(pts["stripes-16"], "latency_ms"),
      "the latency_ms of the stripes row with 16 tiles in points.csv", rel=0.02),
    Q("q3", len(front),
      "eyrie pareto out/lab5/points.csv --minimize latency_ms,area_mm2 says how many points are Pareto-optimal"),
    Q("q4", chosen,
      "keep the points with area_mm2 <= 80 and latency_ms <= 0.7; of those, the fastest", choices=NAMES),
    Q("q5", f(pts["dadiannao-16"], "latency_ms") / f(pts["stripes-12"], "latency_ms"),
      "latency of dadiannao with 16 tiles / latency of stripes with 12 tiles", rel=0.02),
    Q("q6", f(pts["stripes-16"], "latency_ms") / f(pts["stripes-24"], "latency_ms"),
      "latency of stripes with 16 tiles / latency of stripes with 24 tiles", rel=0.02),
    Q("q7", largest_part,
      "compare the *_energy_pj columns of your design's row (or eyrie plot --kind breakdown)", choices=PARTS),
    Q("q8", len(front4),
      "rerun the sweep with \"arch.bit_serial.act_bits\" = 4 and count its Pareto-optimal points"),
    Q("q9", pick(pts4, float("inf"), 0.7, "area_mm2"),
      "in the 4-bit sweep, keep the points with latency_ms <= 0.7; of those, the smallest", choices=NAMES),
]
sys.exit(grade(answers, questions))
PY
