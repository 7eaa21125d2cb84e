"""Data for benches/load.sh, standard library only.

  prepare.py sample --ban FILE.csv.gz --n N --seed S --out DIR
      N real Paris addresses: DIR/points.csv (lon,lat, for `passerelle
      lookup`), DIR/address-paths.txt and DIR/geocode-paths.txt (one request
      path per line).
  prepare.py lookup-paths --looked LOOKED.csv --out FILE
      The points that `passerelle lookup` placed in a sector (inside or
      nearest) as `/api/v1/sectors/lookup?lat=..&lon=..` paths.
  prepare.py meetings --base URL --token T --n N --capacity C --out FILE
      N meetings of capacity C over the sectors of 2024-2025; their ids.
"""
import argparse
import csv
import datetime
import gzip
import json
import random
import sys
import urllib.parse
import urllib.request


def sample(args):
    with gzip.open(args.ban, "rt", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    rng = random.Random(args.seed)
    picked = rng.sample(rows, min(args.n, len(rows)))
    with open(f"{args.out}/points.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["lon", "lat"])
        for r in picked:
            w.writerow([r["lon"], r["lat"]])
    with open(f"{args.out}/address-paths.txt", "w") as a, open(
        f"{args.out}/geocode-paths.txt", "w"
    ) as g:
        for r in picked:
            number = " ".join(x for x in (r["numero"], r["rep"]) if x)
            text = f"{number} {r['nom_voie']} {r['code_postal']} Paris"
            q = urllib.parse.quote(text, safe="")
            a.write(f"/api/v1/sectors/lookup?address={q}\n")
            g.write(f"/api/v1/geocode?q={q}\n")
    print(f"{len(picked)} addresses sampled (seed {args.seed})")


def lookup_paths(args):
    kept = 0
    total = 0
    with open(args.looked, newline="") as f, open(args.out, "w") as out:
        for r in csv.DictReader(f):
            total += 1
            if r["match"] in ("inside", "nearest"):
                kept += 1
                out.write(f"/api/v1/sectors/lookup?lat={r['lat']}&lon={r['lon']}\n")
    print(f"{kept} of {total} points have a sector")
    if kept == 0:
        sys.exit("no point has a sector: was the Paris map imported?")


def call(method, url, token=None, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)


def meetings(args):
    sectors = call("GET", f"{args.base}/api/v1/sectors?year=2024-2025")["sectors"]
    if not sectors:
        sys.exit("no sector for 2024-2025: was the Paris map imported?")
    ids = []
    # Meetings start within the two years the service accepts.
    day0 = datetime.date.today() + datetime.timedelta(days=30)
    for i in range(args.n):
        day = day0 + datetime.timedelta(days=i % 300)
        body = {
            "title": f"Réunion de charge {i}",
            "description": "Échanges entre parents",
            "sector_ids": [sectors[i % len(sectors)]["id"]],
            "venue": {"name": "Maison des associations", "address": "8 rue du Général Renault, 75011 Paris"},
            "starts_at": f"{day}T18:30",
            "ends_at": f"{day}T20:00",
            "time_zone": "Europe/Paris",
            "capacity": args.capacity,
            "registration_deadline": f"{day0 - datetime.timedelta(days=1)}T12:00",
        }
        ids.append(call("POST", f"{args.base}/api/v1/meetings", args.token, body)["id"])
    with open(args.out, "w") as f:
        f.write("".join(f"{i}\n" for i in ids))
    print(f"{len(ids)} meetings of capacity {args.capacity}")


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sample")
    s.add_argument("--ban", required=True)
    s.add_argument("--n", type=int, default=20000)
    s.add_argument("--seed", type=int, default=20240901)
    s.add_argument("--out", required=True)
    s.set_defaults(run=sample)
    s = sub.add_parser("lookup-paths")
    s.add_argument("--looked", required=True)
    s.add_argument("--out", required=True)
    s.set_defaults(run=lookup_paths)
    s = sub.add_parser("meetings")
    s.add_argument("--base", required=True)
    s.add_argument("--token", required=True)
    s.add_argument("--n", type=int, default=400)
    s.add_argument("--capacity", type=int, default=20)
    s.add_argument("--out", required=True)
    s.set_defaults(run=meetings)
    args = p.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
