"""OCR of table images (gicrawler/parsing/ocr.py): cell accuracy and time per table.

Each sample report's tables (gicrawler/replicas/data/samples, values read by hand) are rendered to images by
gicrawler/replicas/render_image.py — ruled PNG, ruled JPEG, and PNG without ruling lines — then
read back. For each table: the share of its cells (every number of the record's table) that
come back equal to the truth, how many come back wrong (a number that is not the truth; missing
ones are neither), whether the table was trusted (identities hold, image_tables.py), and the
seconds OCR took (engine already loaded; the load itself is printed once). The last line counts
wrong cells in trusted tables: it must be 0.

    python benchmarks/ocr.py [--seeds 001,002,003,004] [--variants png,jpeg,unruled]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gicrawler.parsing import ocr  # noqa: E402
from gicrawler.parsing.image_tables import tables_from_grids  # noqa: E402
from gicrawler.parsing.normalize import normalize_text  # noqa: E402
from gicrawler.parsing.tables import extract_tables  # noqa: E402
from gicrawler.replicas.samples import load_sample  # noqa: E402
from gicrawler.replicas.render_image import table_png  # noqa: E402

VARIANTS = {"png": {"fmt": "PNG"}, "jpeg": {"fmt": "JPEG"}, "unruled": {"fmt": "PNG", "ruled": False}}
KEYS = ("active", "applications", "review_litigation")


def leaves(table, prefix=""):
    for k, v in (table or {}).items():
        if isinstance(v, dict):
            yield from leaves(v, f"{prefix}{k}.")
        else:
            yield f"{prefix}{k}", v


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="001,002,003,004")
    ap.add_argument("--variants", default="png,jpeg,unruled")
    args = ap.parse_args()
    started = time.perf_counter()
    ocr.engine()
    print(f"engine load {time.perf_counter() - started:.2f} s")
    warm = load_sample("004")
    ocr.read_page(table_png("review_litigation", warm.record["tables"], warm.record["template"]))  # first run
    print(f"{'seed':<5} {'variant':<8} {'table':<18} {'cells':>5} {'right':>5} {'wrong':>5} {'acc':>6} "
          f"{'trusted':>7} {'conf':>6} {'sec':>6}")
    total = right = wrong_all = 0
    seconds = []
    trusted_wrong = 0
    for seed in args.seeds.split(","):
        s = load_sample(seed)
        opts = {k: v for k, v in s.options.items() if k != "image_sections"}
        for variant in args.variants.split(","):
            for key in KEYS:
                truth = s.record["tables"].get(key)
                if not truth:
                    continue
                data = table_png(key, s.record["tables"], s.record["template"], **opts, **VARIANTS[variant])
                t0 = time.perf_counter()
                try:
                    page = ocr.read_page(data, want_text=False)
                except ocr.OcrError as exc:
                    print(f"{seed:<5} {variant:<8} {key:<18} error: {exc}")
                    continue
                took = time.perf_counter() - t0
                seconds.append(took)
                grids = [[[normalize_text(c) for c in row] for row in g.cells] for g in page.tables]
                got = extract_tables("", grids)["tables"].get(key) or {}
                want = dict(leaves(truth))
                have = dict(leaves(got))
                ok = sum(1 for path, v in want.items() if have.get(path) == v)
                wrong = sum(1 for path, v in have.items() if v is not None and want.get(path) != v)
                total += len(want)
                right += ok
                wrong_all += wrong
                mapped = tables_from_grids(page.tables, normalize_text)
                trusted = key in mapped["tables"]
                if trusted:
                    trusted_wrong += sum(1 for path, v in leaves(mapped["tables"][key])
                                         if v is not None and want.get(path) != v)
                conf = (mapped["tables_source"].get(key) or {}).get("confidence")
                print(f"{seed:<5} {variant:<8} {key:<18} {len(want):>5} {ok:>5} {wrong:>5} {ok / len(want):>6.1%} "
                      f"{'yes' if trusted else 'no':>7} {conf if conf is not None else '-':>6} {took:>6.2f}")
    if seconds:
        print(f"cells right {right}/{total} = {right / total:.1%}, wrong {wrong_all} (before the identity "
              f"check); tables {len(seconds)}, mean {sum(seconds) / len(seconds):.2f} s, "
              f"max {max(seconds):.2f} s per table; wrong cells in trusted tables: {trusted_wrong}")
    return 1 if trusted_wrong else 0


if __name__ == "__main__":
    raise SystemExit(main())
