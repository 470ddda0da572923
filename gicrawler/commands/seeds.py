"""`gicrawler seeds check|detect|add`: try seed entries on the real network, and add portals by URL.

- ``check [SEEDS] [--portal P]``: fetch every entry's index URLs and print, per portal, whether
  they answered, the family markers they show, the list entries and reports the family adapter
  reads from them, the size the column states and the list pages it would go on to; exit 1 when
  a portal yields no report (unreachable, markup changed, nothing among its entries).
- ``detect URL``: fetch one page and print the seed entry it would make (YAML), or the markers
  seen and that no family is known for them (exit 1).
- ``add URL --to FILE``: ``detect`` and append the entry to FILE (validated; its comments kept;
  a URL already in FILE is refused, a name already taken gets a ``_2`` suffix).

Fetching goes through Scrapy with the project's settings (ProbeSpider, gicrawler/spiders/probe.py):
the crawl's own User-Agent, robots.txt, AutoThrottle, timeouts, retries with backoff and anti-bot
browser, so what ``check`` sees is what a crawl would see. Nothing is stored.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

help = "check seed lists on the real network; detect a portal's family from a URL; add it to a seed file"


def add_arguments(parser):
    sub = parser.add_subparsers(dest="seeds_command", metavar="ACTION", required=True)
    check = sub.add_parser("check", help="fetch each entry's index URLs and say what a crawl would find there")
    check.add_argument("seeds", nargs="?", default=None, metavar="SEEDS",
                       help="seed file, or a built-in list's name (guangdong, zibo); default: every built-in list")
    check.add_argument("--portal", action="append", default=[], metavar="NAME",
                       help="only this portal (repeat, or NAME,NAME)")
    detect = sub.add_parser("detect", help="fetch URL and print the seed entry it would make")
    detect.add_argument("url", metavar="URL")
    add = sub.add_parser("add", help="detect URL and append its seed entry to a seed file")
    add.add_argument("url", metavar="URL")
    add.add_argument("--to", required=True, metavar="FILE", help="the seed file (created if missing)")
    for cmd in (detect, add):
        cmd.add_argument("--name", help="the entry's name (default: from the host, e.g. gansu_jyt)")
        cmd.add_argument("--region", help="the entry's region (default: the page's SiteName)")
        cmd.add_argument("--no-browser", action="store_true",
                         help="never start Chromium (an anti-bot challenge is then reported, not passed)")
    for cmd in (check, detect, add):
        cmd.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                         help="a Scrapy setting for the fetches (as scrapy crawl -s)")
        cmd.add_argument("--log-level", default="WARNING", help="Scrapy log level (default WARNING)")


def run(args) -> int:
    from gicrawler.seeds import SeedError

    try:
        return {"check": run_check, "detect": run_detect, "add": run_add}[args.seeds_command](args)
    except SeedError as exc:
        print(f"gicrawler seeds {args.seeds_command}: {exc}", file=sys.stderr)
        return 2
    except _UsageError as exc:
        print(f"gicrawler seeds {args.seeds_command}: {exc}", file=sys.stderr)
        return 2


class _UsageError(ValueError):
    pass


# --- fetching (Scrapy, the project's settings) -------------------------------------------------

def _probe(args, **spider_args):
    """Run ProbeSpider once in this process; its results ({portal: [PageCheck | Failed | Detection]})."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    from gicrawler.spiders.probe import ProbeSpider

    settings = Settings()
    settings.setmodule("gicrawler.settings", priority="project")
    for item in args.set:
        key, eq, value = item.partition("=")
        if not eq or not key:
            raise _UsageError(f"-s takes NAME=VALUE, got {item!r}")
        settings.set(key, value, priority="cmdline")
    settings.set("LOG_LEVEL", args.log_level, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(ProbeSpider)
    process.crawl(crawler, **spider_args)
    process.start()
    spider = crawler.spider
    if spider is None:
        raise _UsageError("the fetch did not start")
    return spider.results


# --- check -------------------------------------------------------------------------------------

def run_check(args) -> int:
    from gicrawler.seeds import load_all_builtin, load_list

    portals = load_list(args.seeds) if args.seeds else load_all_builtin()
    wanted = [n.strip() for item in args.portal for n in item.split(",") if n.strip()]
    if wanted:
        known = {p.name for p in portals}
        missing = [n for n in wanted if n not in known]
        if missing:
            raise _UsageError(f"portal {', '.join(missing)} not in the seed list")
        portals = [p for p in portals if p.name in wanted]
    spider_args = {"seeds": str(args.seeds)} if args.seeds else {}
    if wanted:
        spider_args["portal"] = ",".join(wanted)
    results = _probe(args, **spider_args)
    failed = []
    for portal in portals:
        lines, ok = format_check(portal, results.get(portal.name, []))
        print("\n".join(lines))
        if not ok:
            failed.append(portal.name)
    print(f"checked {len(portals)} portals: {len(portals) - len(failed)} yield reports"
          + (f", {len(failed)} do not ({', '.join(failed)})" if failed else ""))
    return 1 if failed else 0


def format_check(portal, results) -> tuple[list[str], bool]:
    """The lines `seeds check` prints for one portal, and whether it yields a report.

    results: the ProbeSpider's PageCheck / Failed objects of this portal, in the order fetched;
    printed per index URL (seed order), each followed by the pages reached from it."""
    from gicrawler.spiders.probe import Failed

    lines = [f"{portal.name} ({portal.family}{'' if portal.verified else ', unverified'})"]
    reports, doubtful, problems = set(), set(), []
    roots = list(portal.index_urls) + sorted({r.root for r in results} - set(portal.index_urls))
    for root in roots:
        pages = [r for r in results if r.root == root]     # in the order fetched: depth first
        if not pages:
            lines.append(f"  {root}: not fetched")
            problems.append("not fetched")
        changed = False   # this index page lost its markers: what its further pages show is not trusted
        for r in pages:
            lead = "  " if r.hop == 0 else "    then "
            if isinstance(r, Failed):
                lines.append(f"{lead}{r.url}: {'unreachable' if r.hop == 0 else 'failed'}: {r.error}")
                continue
            passed = " (anti-bot challenge passed in the browser)" if r.challenged else ""
            lines.append(f"{lead}{r.url}: HTTP {r.status}{passed}; markers: {r.detection.shown()}")
            if r.markup_changed:
                lines.append(f"    {r.markup_changed}")
                problems.append(r.markup_changed)
                changed = True
            if r.error:
                lines.append(f"    the {portal.family} adapter could not read it: {r.error}")
                problems.append(f"list page not readable ({r.error})")
                continue
            listed = (f"{r.listed}" if r.listed is not None else "not stated" if r.pages is None
                      else f"{r.pages} page{'' if r.pages == 1 else 's'}")
            lines.append(f"    list entries {r.entries}, reports among them {len(r.reports)}, listed {listed}, "
                         f"pages planned {1 + r.planned}")
            (doubtful if changed and r.hop else reports).update(e["url"] for e in r.reports)
    if reports:
        lines.append(f"  → {len(reports)} reports seen")
        return lines, True
    index = [r for r in results if r.hop == 0]
    if not index or all(isinstance(r, Failed) for r in index):
        verdict = "unreachable"
    elif problems:
        verdict = problems[0] + (f" ({len(doubtful)} reports reached past it not counted)" if doubtful else "")
    else:
        verdict = f"no report among {sum(getattr(r, 'entries', 0) for r in results)} list entries"
    lines.append(f"  → NO REPORT: {verdict}")
    return lines, False


# --- detect / add ------------------------------------------------------------------------------

def _detect(args):
    """(Detection, None) or (None, error) for args.url, fetched once."""
    from gicrawler.families.detect import allowed_domain
    from gicrawler.seeds import Portal
    from gicrawler.spiders.probe import Failed

    parts = urlsplit(args.url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _UsageError(f"not an absolute http(s) URL: {args.url!r}")
    probe = Portal(name="detect", family="", index_urls=(args.url,), allowed_domains=(allowed_domain(args.url),
                   parts.hostname), antibot_browser=not args.no_browser)
    results = _probe(args, portals=[probe], detect_only=True)["detect"]
    if not results:
        return None, "nothing was fetched"
    result = results[0]
    if isinstance(result, Failed):
        return None, result.error
    return result, None


def _entry(args, det) -> dict:
    from gicrawler.families.detect import seed_entry

    return seed_entry(det, name=args.name, region=args.region, challenged=det.challenged)


def _describe(det) -> str:
    markers = det.shown()
    scores = ", ".join(f"{f} {s}" for f, s in sorted(det.scores.items(), key=lambda kv: -kv[1]))
    return f"markers: {markers}" + (f" (scores: {scores})" if scores else "")


def run_detect(args) -> int:
    import yaml

    det, error = _detect(args)
    if error:
        print(f"gicrawler seeds detect: {args.url}: {error}", file=sys.stderr)
        return 1
    if not det.known:
        print(f"{args.url}: {_describe(det)}")
        why = f"an anti-bot page ({det.challenge}) hides the portal" if det.challenge else "no known family"
        print(f"gicrawler seeds detect: {args.url}: {why}", file=sys.stderr)
        return 1
    print(f"# {args.url}: family {det.family}; {_describe(det)}")
    if det.reading is not None:
        print(f"# {_reading(det)}")
    print(yaml.safe_dump([_entry(args, det)], allow_unicode=True, sort_keys=False, width=120), end="")
    return 0


def _reading(det) -> str:
    r = det.reading
    if r.error:
        return f"the {det.family} adapter could not read this page: {r.error}"
    listed = f", listed {r.listed}" if r.listed is not None else ""
    said = (f"the {det.family} adapter reads {r.entries} list entries here, {len(r.reports)} reports among "
            f"them{listed}, {r.planned} further list pages")
    if not r.entries:
        said += (" (the list may come from those further pages; if it is on this page, its links need "
                 "params.link_pattern)")
    return said


def run_add(args) -> int:
    from gicrawler.families.detect import seed_entry  # noqa: F401  (imported early: fail before fetching)
    from gicrawler.seeds import parse_seeds

    path = Path(args.to)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    builtin = _is_builtin(path)
    existing = parse_seeds(text, source=str(path), builtin=builtin) if text.strip() else []
    for portal in existing:
        if args.url in portal.index_urls:
            print(f"gicrawler seeds add: {args.url} is already in {path} ({portal.name})", file=sys.stderr)
            return 1
    det, error = _detect(args)
    if error:
        print(f"gicrawler seeds add: {args.url}: {error}", file=sys.stderr)
        return 1
    if not det.known:
        print(f"{args.url}: {_describe(det)}")
        print(f"gicrawler seeds add: {args.url}: no known family; nothing added", file=sys.stderr)
        return 1
    entry = _entry(args, det)
    names = {p.name for p in existing}
    base, n = entry["name"], 2
    while entry["name"] in names:
        entry["name"], n = f"{base}_{n}", n + 1
    new_text = append_entry(text, entry)
    portals = parse_seeds(new_text, source=str(path), builtin=builtin)   # the whole file, validated
    if [p.name for p in portals] != [p.name for p in existing] + [entry["name"]]:
        raise _UsageError(f"{path}: cannot append to it (its 'portals' list is not a block list at the end)")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(new_text, encoding="utf-8")
    print(f"added {entry['name']} ({det.family}) to {path}")
    return 0


def append_entry(text: str, entry: dict) -> str:
    """text with entry appended to its ``portals:`` block list; everything already there (comments
    included) is kept byte for byte."""
    import yaml

    if not text.strip():
        text = "portals:\n"
    items = re.findall(r"^( *)- ", text.split("portals:", 1)[-1], re.M)
    indent = items[0] if items else "  "
    block = yaml.safe_dump([entry], allow_unicode=True, sort_keys=False, width=120)
    block = "".join(indent + line if line.strip() else line for line in block.splitlines(keepends=True))
    return text + ("" if text.endswith("\n") else "\n") + block


def _is_builtin(path: Path) -> bool:
    from importlib import resources

    try:
        return path.resolve().parent == Path(str(resources.files("gicrawler.seedfiles"))).resolve()
    except (OSError, TypeError):
        return False
