"""Parser throughput: sample 003 rendered as its HTML page, parsed over and over on one core.

    python benchmarks/parse.py [--rounds 40] [--n 25] [--profile]

Measures (a) the full ``parse_report`` of the page → reports/second and (b) ``lxml.html.fromstring``
of the same bytes → parses/second, in the same run: short rounds of (a) and (b) alternate, so
load from other processes on a shared machine hits both alike. The ratio (a) ÷ (b) is taken per
round and its median reported; rates are the median round (best round alongside).

Targets (the issue): >= 150 reports/s on one core, and the full parse <= 6x lxml's parse time.
Prints PASS/FAIL per target; the exit status is 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time

import lxml.html

from gicrawler.parsing import parse_report
from gicrawler.replicas.samples import load_sample
from gicrawler.replicas.writers import report_html

MIN_REPORTS_PER_S = 150
MAX_RATIO = 6.0
LXML_PER_ROUND = 4        # lxml parses per full parse in a round (lxml is ~5x faster)


def timed(fn, n: int) -> float:
    """Seconds per call of fn, over n calls."""
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n


def measure(full_fn, base_fn, n: int, rounds: int):
    """Per-round seconds per call of both, rounds alternating; returns (full, base, ratios)."""
    for _ in range(3):                     # warm up (OpenCC dictionaries, regex caches, imports)
        full_fn(), base_fn()
    full, base = [], []
    for _ in range(rounds):
        full.append(timed(full_fn, n))
        base.append(timed(base_fn, n * LXML_PER_ROUND))
    return full, base, [f / b for f, b in zip(full, base)]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40, help="alternating rounds (default 40)")
    parser.add_argument("--n", type=int, default=25, help="full parses per round (default 25)")
    parser.add_argument("--profile", action="store_true", help="also print the top of a cProfile run")
    args = parser.parse_args()

    sample = load_sample("003")
    page = report_html(sample.record, sample.paragraphs, **sample.options).encode("utf-8")
    record = parse_report(page)
    assert set(record["tables"]) == {"active", "applications", "review_litigation"}, record["errors"]

    full, base, ratios = measure(lambda: parse_report(page), lambda: lxml.html.fromstring(page),
                                 args.n, args.rounds)
    full_med, base_med, ratio = statistics.median(full), statistics.median(base), statistics.median(ratios)
    rate = 1 / full_med
    print(f"page: sample 003 rendered as HTML, {len(page) / 1024:.1f} KiB")
    print(f"{args.rounds} rounds, each {args.n} x parse_report then {args.n * LXML_PER_ROUND} x lxml "
          "(one core; median round, best round in brackets)")
    print(f"(a) parse_report           {full_med * 1000:6.3f} ms/report  {rate:7.1f} reports/s"
          f"  (best {1 / min(full):.1f}/s)")
    print(f"(b) lxml.html.fromstring   {base_med * 1000:6.3f} ms/page    {1 / base_med:7.1f} parses/s"
          f"   (best {1 / min(base):.1f}/s)")
    print(f"ratio (a) / (b)            {ratio:6.2f}x  median of per-round ratios"
          f"  (quartiles {statistics.quantiles(ratios, n=4)[0]:.2f}x-{statistics.quantiles(ratios, n=4)[2]:.2f}x,"
          f" best/best {min(full) / min(base):.2f}x)")
    rate_ok, ratio_ok = rate >= MIN_REPORTS_PER_S, ratio <= MAX_RATIO
    print("targets:")
    print(f"  {'reports/s >= ' + str(MIN_REPORTS_PER_S):28s} {rate:7.1f}    {verdict(rate_ok)}")
    print(f"  {'parse_report / lxml <= ' + format(MAX_RATIO, 'g') + 'x':28s} {ratio:7.2f}x   {verdict(ratio_ok)}")

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.n * 10):
            parse_report(page)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    return 0 if rate_ok and ratio_ok else 1


if __name__ == "__main__":
    sys.exit(main())
