"""Parser cost on every HTML input of the corpus: the full parse vs lxml's bare parse of the same bytes.

    python benchmarks/parse.py [--rounds 15] [--n 10] [--only NAME] [--profile]

The inputs are tests/parse_inputs.py's HTML ones: the pages of tests/corpus, the five sample
reports rendered as HTML by the replicas' writers, the saved real report pages of tests/files.
For each input, short rounds of (a) ``parse_report`` of the bytes and (b) ``lxml.html.fromstring``
of the same bytes alternate, so load from other processes on a shared machine hits both alike;
time is this process's CPU time (time.process_time), the ratio (a) ÷ (b) is taken per round and
its median is the input's figure. Prints per input, then the median and the max over the inputs
(target: max <= 6x) and reports/s (all inputs once, one core: the inputs' median parse times
summed; target >= 150/s). Exit status 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

import lxml.html

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # tests.parse_inputs

from gicrawler.parsing import parse_report  # noqa: E402
from tests.parse_inputs import html_inputs  # noqa: E402

MIN_REPORTS_PER_S = 150
MAX_RATIO = 6.0


def cpu_per_call(fn, n: int) -> float:
    start = time.process_time()
    for _ in range(n):
        fn()
    return (time.process_time() - start) / n


def measure(data: bytes, kwargs: dict, n: int, rounds: int) -> tuple[list[float], list[float]]:
    full_fn = lambda: parse_report(data, **kwargs)  # noqa: E731
    base_fn = lambda: lxml.html.fromstring(data)    # noqa: E731
    for _ in range(3):                 # warm up (OpenCC dictionaries, regex caches, imports)
        full_fn(), base_fn()
    per_full = max(1, n)
    # lxml is several times faster: as many of its parses per round as give it similar time
    ratio_guess = max(1, round(cpu_per_call(full_fn, 3) / max(cpu_per_call(base_fn, 10), 1e-6)))
    full, base = [], []
    for _ in range(rounds):
        full.append(cpu_per_call(full_fn, per_full))
        base.append(cpu_per_call(base_fn, per_full * ratio_guess))
    return full, base


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="alternating rounds per input (default 15)")
    parser.add_argument("--n", type=int, default=10, help="full parses per round (default 10)")
    parser.add_argument("--only", help="inputs whose name contains this")
    parser.add_argument("--profile", action="store_true", help="also print the top of a cProfile run")
    args = parser.parse_args()

    inputs = [i for i in html_inputs() if not args.only or args.only in i[0]]
    if not inputs:
        raise SystemExit("benchmark: no input")
    print(f"{len(inputs)} HTML inputs; {args.rounds} rounds each of {args.n} x parse_report then lxml.html."
          f"fromstring of the same bytes; CPU time of this process; ratio = median of the rounds' ratios")
    print(f"{'input':58s} {'KiB':>6s} {'parse ms':>9s} {'lxml ms':>8s} {'ratio':>6s}  (rounds' quartiles)")
    rows = []
    for name, data, kwargs in inputs:
        record = parse_report(data, **kwargs)
        full, base = measure(data, kwargs, args.n, args.rounds)
        ratios = [f / b for f, b in zip(full, base)]
        q = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else [ratios[0]] * 3
        row = (name, len(data) / 1024, statistics.median(full), statistics.median(base), statistics.median(ratios))
        rows.append(row)
        print(f"{name:58s} {row[1]:6.1f} {row[2] * 1000:9.3f} {row[3] * 1000:8.3f} {row[4]:5.2f}x  "
              f"({q[0]:.2f}-{q[2]:.2f}x; tables: {','.join(sorted(record['tables'])) or 'none'})", flush=True)

    ratios = [r[4] for r in rows]
    worst = max(rows, key=lambda r: r[4])
    rate = len(rows) / sum(r[2] for r in rows)
    print(f"ratio parse_report / lxml over {len(rows)} inputs: median {statistics.median(ratios):.2f}x, "
          f"max {worst[4]:.2f}x ({worst[0]}), min {min(ratios):.2f}x")
    print(f"reports/s (one core, each input once): {rate:.0f}; median parse {statistics.median(r[2] for r in rows) * 1000:.2f} ms")
    rate_ok, ratio_ok = rate >= MIN_REPORTS_PER_S, worst[4] <= MAX_RATIO
    print("targets:")
    print(f"  {'max ratio <= ' + format(MAX_RATIO, 'g') + 'x':24s} {worst[4]:7.2f}x  {verdict(ratio_ok)}")
    print(f"  {'reports/s >= ' + str(MIN_REPORTS_PER_S):24s} {rate:7.0f}   {verdict(rate_ok)}")

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.n):
            for _name, data, kwargs in inputs:
                parse_report(data, **kwargs)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
    return 0 if rate_ok and ratio_ok else 1


if __name__ == "__main__":
    sys.exit(main())
