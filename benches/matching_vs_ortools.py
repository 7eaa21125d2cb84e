"""Checks our matching solver against OR-tools on the same instance files.

For each file: OR-tools' SimpleMinCostFlow.solve_max_flow_with_min_cost on
source -> request (cap 1) -> referent (cap 1, cost) -> sink (cap = capacity),
and our solver as a subprocess (stdout: {"matched", "cost", "assignments"};
stderr may hold a JSON line of timings). Both must give the same matched
count and cost, and our assignments must be feasible and cost what they say.

Usage: matching_vs_ortools.py SOLVER_CMD FILE...
       matching_vs_ortools.py --random SEED [R K M] > FILE   (sparse random)

SOLVER_CMD is split on spaces and gets the file appended. Exit status 1 on
any mismatch. OR-tools runs in a child process per file, so that each
side's peak RSS is its own. Duplicate arcs go to OR-tools as they are:
with one unit per request only the cheaper can carry flow.
"""

import json
import os
import subprocess
import sys
import threading
import time

import numpy as np
from ortools.graph.python import min_cost_flow


def read_instance(path):
    with open(path, "rb") as f:
        data = f.read()
    lines = data.split(b"\n", 3)
    r, k = (int(x) for x in lines[0].split())
    caps = np.array(lines[1].split(), dtype=np.int64)
    assert len(caps) == k, "capacity count"
    m = int(lines[2])
    rest = lines[3] if len(lines) > 3 else b""
    arcs = np.fromstring(rest, dtype=np.int64, sep=" ") if m else np.zeros(0, np.int64)
    arcs = arcs.reshape(m, 3)
    return r, k, caps, arcs


def ortools_solve(r, k, caps, arcs):
    """Returns (matched, cost, build seconds, solve seconds)."""
    t0 = time.perf_counter()
    smcf = min_cost_flow.SimpleMinCostFlow()
    source, sink = r + k, r + k + 1
    req = np.arange(r, dtype=np.int64)
    ref = np.arange(k, dtype=np.int64)
    starts = np.concatenate([np.full(r, source), arcs[:, 0], r + ref])
    ends = np.concatenate([req, r + arcs[:, 1], np.full(k, sink)])
    capacities = np.concatenate([np.ones(r, np.int64), np.ones(len(arcs), np.int64), caps])
    costs = np.concatenate([np.zeros(r, np.int64), arcs[:, 2], np.zeros(k, np.int64)])
    smcf.add_arcs_with_capacity_and_unit_cost(starts, ends, capacities, costs)
    smcf.set_nodes_supplies(np.array([source, sink]), np.array([r, -r]))
    t1 = time.perf_counter()
    status = smcf.solve_max_flow_with_min_cost()
    t2 = time.perf_counter()
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"OR-tools status {status}")
    return smcf.maximum_flow(), smcf.optimal_cost(), t1 - t0, t2 - t1


def check_assignments(r, k, caps, arcs, ours):
    """Each request at most once, capacities kept, arcs exist, cost adds up."""
    pairs = np.array(ours["assignments"], dtype=np.int64).reshape(-1, 2)
    if len(pairs) != ours["matched"]:
        return "matched differs from the number of assignments"
    if len(pairs) == 0:
        return None if ours["cost"] == 0 else "cost without assignments"
    if np.any(np.bincount(pairs[:, 0], minlength=r) > 1):
        return "a request is assigned twice"
    if np.any(np.bincount(pairs[:, 1], minlength=k) > caps):
        return "a capacity is exceeded"
    # Cheapest arc per (request, referent) pair.
    keys = arcs[:, 0] * k + arcs[:, 1]
    order = np.lexsort((arcs[:, 2], keys))
    keys, costs = keys[order], arcs[order, 2]
    first = np.concatenate([[True], keys[1:] != keys[:-1]])
    keys, costs = keys[first], costs[first]
    wanted = pairs[:, 0] * k + pairs[:, 1]
    at = np.searchsorted(keys, wanted)
    if np.any(at >= len(keys)) or np.any(keys[np.minimum(at, len(keys) - 1)] != wanted):
        return "an assignment uses no arc"
    if int(costs[at].sum()) != ours["cost"]:
        return "cost is not the sum of the assignments' arcs"
    return None


def run_child(cmd):
    """Runs cmd; returns (stdout, stderr, wall seconds, peak RSS MiB)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    err = []
    reader = threading.Thread(target=lambda: err.append(proc.stderr.read()))
    reader.start()
    out = proc.stdout.read()
    reader.join()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    err = err[0].decode(errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {err}")
    return out, err, wall, usage.ru_maxrss / 1024


def last_json_line(text):
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                pass
    return {}


def ortools_main(path):
    t0 = time.perf_counter()
    r, k, caps, arcs = read_instance(path)
    read_s = time.perf_counter() - t0
    matched, cost, build_s, solve_s = ortools_solve(r, k, caps, arcs)
    print(json.dumps({"matched": matched, "cost": cost, "read_s": read_s,
                      "build_s": build_s, "solve_s": solve_s}))


def random_instance(seed, r=None, k=None, m=None):
    """A sparse instance: unsorted, with duplicate arcs and zero capacities."""
    rng = np.random.default_rng(seed)
    r = r or int(rng.integers(1, 300))
    k = k or int(rng.integers(1, 40))
    m = int(rng.integers(0, 4 * r)) if m is None else m
    caps = rng.integers(0, 5, size=k)
    lines = [f"{r} {k}", " ".join(map(str, caps)), str(m)]
    max_cost = [3, 100, 4294967295][seed % 3]
    for _ in range(m):
        lines.append(f"{rng.integers(0, r)} {rng.integers(0, k)} {rng.integers(0, max_cost + 1)}")
    print("\n".join(lines))


def main():
    if sys.argv[1] == "--random":
        random_instance(*(int(a) for a in sys.argv[2:]))
        return 0
    if sys.argv[1] == "--ortools":
        ortools_main(sys.argv[2])
        return 0
    cmd = sys.argv[1].split()
    failures = 0
    for path in sys.argv[2:]:
        name = os.path.basename(path)
        out, err, wall, ours_rss = run_child(cmd + [path])
        ours, timings = json.loads(out), last_json_line(err)
        # wait4 counts the forked Python until exec; prefer the solver's own figure.
        ours_rss = timings.get("peak_rss_mib") or ours_rss
        out, _, ort_wall, ort_rss = run_child([sys.executable, __file__, "--ortools", path])
        ort = json.loads(out)
        if (ours["matched"], ours["cost"]) != (ort["matched"], ort["cost"]):
            problem = (f"ours matched={ours['matched']} cost={ours['cost']}, "
                       f"OR-tools matched={ort['matched']} cost={ort['cost']}")
        else:
            problem = check_assignments(*read_instance(path), ours)
        failures += problem is not None
        ours_solve = timings.get("solve_s")
        speedup = f"{ort['solve_s'] / ours_solve:.1f}x" if ours_solve else "n/a"
        print(
            f"{'OK' if problem is None else 'MISMATCH'} {name}: matched={ort['matched']} cost={ort['cost']}\n"
            f"  ours:     solve {fmt(ours_solve)} (CPU {fmt(timings.get('solve_cpu_s'))}), "
            f"parse {fmt(timings.get('parse_s'))}, "
            f"process wall {fmt(wall)}, peak RSS {ours_rss:.0f} MiB\n"
            f"  OR-tools: solve {fmt(ort['solve_s'])}, graph build {fmt(ort['build_s'])}, "
            f"file read {fmt(ort['read_s'])}, process wall {fmt(ort_wall)}, peak RSS {ort_rss:.0f} MiB\n"
            f"  solve speed-up: {speedup}"
            + (f"\n  problem: {problem}" if problem else ""),
            flush=True,
        )
    print(f"{len(sys.argv) - 2 - failures} passed, {failures} failed")
    return 1 if failures else 0


def fmt(seconds):
    return "n/a" if seconds is None else f"{seconds * 1000:.1f} ms"


if __name__ == "__main__":
    sys.exit(main())
