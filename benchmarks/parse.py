"""Parser throughput: seed 003 rendered as its HTML page, parsed N times on one core.

    python benchmarks/parse.py [--n 300] [--rounds 5] [--profile]

Prints (a) full ``parse_report`` → reports/second, (b) ``lxml.html.fromstring`` of the same
bytes, and the ratio full ÷ lxml. Targets: ≥150 reports/s and ≤6× lxml. Rounds of (a) and (b)
alternate; each figure is the best round (the machine is shared; the best round is the least
disturbed) with the median alongside, and the ratio is also given per round.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import time

import lxml.html

from gicrawler.parsing import parse_report
from gicrawler.replicas.render import load_seed, report_html


def timed(fn, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n


def measure(full_fn, base_fn, n: int, rounds: int):
    """Alternate rounds of both so that load from other processes hits them alike; returns
    per-call times (best, median) of each and the median of the per-round ratios."""
    full_fn(), base_fn()                   # warm up (OpenCC dictionaries, imports)
    full, base = [], []
    for _ in range(rounds):
        full.append(timed(full_fn, n))
        base.append(timed(base_fn, max(n, 1) * 2))
    ratios = [f / b for f, b in zip(full, base)]
    return (min(full), statistics.median(full)), (min(base), statistics.median(base)), statistics.median(ratios)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="print the top of a cProfile run")
    args = parser.parse_args()

    seed = load_seed("003")
    page = report_html(seed.record, seed.paragraphs, **seed.options).encode("utf-8")
    record = parse_report(page)
    assert set(record["tables"]) == {"active", "applications", "review_litigation"}, record["errors"]

    (full, full_med), (base, base_med), ratio = measure(
        lambda: parse_report(page), lambda: lxml.html.fromstring(page), args.n, args.rounds)
    print(f"page: seed 003 as HTML, {len(page) / 1024:.1f} KiB; {args.n} parses x {args.rounds} rounds, "
          "interleaved with lxml rounds")
    print(f"(a) parse_report         {full * 1000:7.3f} ms/report  {1 / full:7.1f} reports/s"
          f"  (median round {1 / full_med:.1f}/s)   target >= 150/s")
    print(f"(b) lxml.html.fromstring {base * 1000:7.3f} ms/page    {1 / base:7.1f} pages/s"
          f"  (median round {1 / base_med:.1f}/s)")
    print(f"ratio full / lxml        {full / base:7.1f}x best/best  (median of per-round ratios {ratio:.1f}x)"
          "   target <= 6x")

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.n):
            parse_report(page)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(20)


if __name__ == "__main__":
    main()
