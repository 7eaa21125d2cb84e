"""Python half of benches/lookup_vs_shapely.sh (see there).

Subcommands:
  points   write N uniform random points (fixed seed) in a map's bounding box
  shapely  point-in-sector lookup with a shapely 2 STRtree, predicate="within"
  compare  check that the Rust output gives the same UAIs wherever shapely
           found the point inside a sector
"""

import argparse
import csv
import json
import sys
import time

import numpy as np
import shapely


def sector_parts(map_path, uai_property):
    """All polygon parts of the map, with their sector's position and UAIs."""
    with open(map_path, encoding="utf-8-sig") as f:
        features = json.load(f)["features"]
    parts, part_sector, sector_uais = [], [], []
    for i, feature in enumerate(features):
        uais = feature["properties"][uai_property]
        uais = [uais] if isinstance(uais, str) else uais
        # Same normalisation as passerelle-sectors: trimmed, uppercased, deduplicated.
        sector_uais.append("+".join(dict.fromkeys(u.strip().upper() for u in uais)))
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]]
            if geometry["type"] == "Polygon"
            else geometry["coordinates"]
        )
        for rings in polygons:
            parts.append(shapely.Polygon(rings[0], rings[1:]))
            part_sector.append(i)
    return parts, np.array(part_sector), sector_uais


def cmd_points(args):
    parts, _, _ = sector_parts(args.map, args.uai_property)
    x0, y0, x1, y1 = shapely.total_bounds(parts)
    rng = np.random.default_rng(args.seed)
    lon = rng.uniform(x0, x1, args.n)
    lat = rng.uniform(y0, y1, args.n)
    with open(args.out, "w", newline="") as f:
        f.write("id,lon,lat\n")
        f.writelines(f"{i},{x:.7f},{y:.7f}\n" for i, (x, y) in enumerate(zip(lon, lat)))
    print(
        f"{args.n} points, seed {args.seed}, bbox lon {x0}..{x1} lat {y0}..{y1}",
        file=sys.stderr,
    )


def cmd_shapely(args):
    t0 = time.perf_counter()
    # numpy's C reader: the fastest plain way to load the CSV, so that the
    # comparison is not about Python's csv module.
    table = np.loadtxt(args.csv, delimiter=",", skiprows=1, dtype=np.float64, ndmin=2)
    ids = table[:, 0].astype(np.int64)
    xy = table[:, 1:3]
    t1 = time.perf_counter()
    parts, part_sector, sector_uais = sector_parts(args.map, args.uai_property)
    tree = shapely.STRtree(parts)
    t2 = time.perf_counter()
    points = shapely.points(xy)
    point_idx, part_idx = tree.query(points, predicate="within")
    # Lowest sector id wins where sectors overlap, as in passerelle-sectors.
    sector = np.full(len(points), np.iinfo(np.int64).max)
    np.minimum.at(sector, point_idx, part_sector[part_idx])
    t3 = time.perf_counter()
    found = sector != np.iinfo(np.int64).max
    with open(args.out, "w", newline="") as f:
        f.write("id,lon,lat,match,uais\n")
        f.writelines(
            f"{i},{x:.7f},{y:.7f},inside,{sector_uais[s]}\n"
            if hit
            else f"{i},{x:.7f},{y:.7f},none,\n"
            for i, x, y, s, hit in zip(
                ids.tolist(), xy[:, 0].tolist(), xy[:, 1].tolist(), sector.tolist(), found.tolist()
            )
        )
    t4 = time.perf_counter()
    print(
        f"read {t1 - t0:.2f} s, parse map + STRtree {t2 - t1:.2f} s, "
        f"query {t3 - t2:.2f} s ({len(parts)} parts, {int(found.sum())} of {len(points)} inside), "
        f"write {t4 - t3:.2f} s",
        file=sys.stderr,
    )


def cmd_compare(args):
    with open(args.python, newline="") as f:
        expected = {r["id"]: r["uais"] for r in csv.DictReader(f) if r["match"] == "inside"}
    counts = {}
    mismatches = []
    rust_inside_only = 0
    with open(args.rust, newline="") as f:
        for r in csv.DictReader(f):
            counts[r["match"]] = counts.get(r["match"], 0) + 1
            want = expected.pop(r["id"], None)
            if want is None:
                rust_inside_only += r["match"] == "inside"
            elif r["match"] != "inside" or r["uais"] != want:
                mismatches.append((r["id"], r["lon"], r["lat"], r["match"], r["uais"], want))
    print(f"rust matches: {counts}")
    missing = len(expected)
    if rust_inside_only:
        # Shapely's "within" excludes the boundary, passerelle counts it as inside.
        print(f"{rust_inside_only} points inside for Rust only (boundary points)")
    if mismatches or missing:
        print(f"DISAGREEMENT: {len(mismatches)} points differ, {missing} absent from the Rust output")
        for m in mismatches[:10]:
            print("  id={} lon={} lat={} rust={} {} shapely={}".format(*m))
        sys.exit(1)
    print("agreement: every point shapely finds inside gets the same UAIs from Rust")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("points")
    p.add_argument("--map", required=True)
    p.add_argument("--uai-property", default="uais")
    p.add_argument("--n", type=int, default=1_000_000)
    p.add_argument("--seed", type=int, default=20240901)
    p.add_argument("--out", required=True)
    p = sub.add_parser("shapely")
    p.add_argument("--map", required=True)
    p.add_argument("--uai-property", default="uais")
    p.add_argument("--csv", required=True)
    p.add_argument("--out", required=True)
    p = sub.add_parser("compare")
    p.add_argument("--rust", required=True)
    p.add_argument("--python", required=True)
    args = parser.parse_args()
    {"points": cmd_points, "shapely": cmd_shapely, "compare": cmd_compare}[args.cmd](args)


if __name__ == "__main__":
    main()
