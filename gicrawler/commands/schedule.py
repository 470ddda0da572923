"""Start a crawl of a seed list: one job per portal, on scrapyd or as local processes.

    gicrawler schedule SEEDS [--portal NAME ...] [--store URI] [--full | --revalidate]
                             [--scrapyd URL] [--jobs N] [--redis URL [--workers N]]

SEEDS is a seed file (on scrapyd: a path the scrapyd host can read) or the name of a
built-in seed list (``fujian`` → seeds/fujian.yaml, ``zibo`` → 淄博's entries of those lists; shipped
in the package and the egg; the jobs then get no ``seeds`` argument and the spider reads its
built-in lists).

- ``--scrapyd URL``: one ``schedule.json`` per portal (scrapyd-client's ``ScrapydClient``) (spider ``reports``, arguments
  ``seeds``/``portal``/``full``/``revalidate``, ``setting=STORE_URI=…``). scrapyd runs no
  timers itself; nightly re-crawls are a cron line calling this command.
- no ``--scrapyd``: run ``scrapy crawl reports -a seeds=… -a portal=…`` here, ``--jobs N`` at once.
- ``--redis URL``: distributed run. Clears the spider's Redis keys, pushes the seed entries;
  workers (``scrapy crawl reports -s GICRAWLER_REDIS_URL=URL``) share the queue. ``--workers N``
  starts N of them (on scrapyd with ``--scrapyd``, else as local processes).

Secrets: a store or Redis URL with a password (``--store``, ``--redis``, ``--set STORE_URI=…``)
never goes into a command line, where ``ps`` shows it. Local crawls get it in their environment
(``$GICRAWLER_STORE``, ``$GICRAWLER_REDIS_URL``) and the setting as a reference to it
(``env:NAME``, gicrawler/envref.py). scrapyd would show a job's settings in ``listjobs.json``,
its log and the crawl's command line on its host, so its jobs get the reference only, and the
variable must be set in the environment scrapyd runs with (it passes it to every job); this
command says so on stderr. Other ``--set`` values with credentials are passed as given, with a
warning.
"""
from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from gicrawler.commands import at_least, one_line_errors
from gicrawler.store.base import mask_uri

help = "schedule a crawl of a seed list (one job per portal) on scrapyd or locally"

PROJECT = "gicrawler"
SPIDER = "reports"


def add_arguments(parser) -> None:
    parser.add_argument("seeds", metavar="SEEDS", help="seed file path, or a built-in seed list name (e.g. zibo)")
    parser.add_argument("--portal", action="append", metavar="NAME", help="only this portal (repeatable)")
    parser.add_argument("--store", metavar="URI", help="store URI for the crawl (STORE_URI), e.g. sqlite:///data/x.sqlite3")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--full", action="store_true", help="re-download everything (no incremental skipping)")
    mode.add_argument("--revalidate", action="store_true",
                      help="conditional requests for every known report instead of list-skipping (weekly)")
    parser.add_argument("--scrapyd", metavar="URL", help="scrapyd to schedule on, e.g. http://localhost:6800")
    parser.add_argument("--project", default=PROJECT, help=f"scrapyd project (default {PROJECT})")
    parser.add_argument("--jobs", type=at_least(1), default=1, metavar="N",
                        help="local mode: crawl N portals at once (on one SQLite file they take turns writing)")
    parser.add_argument("--redis", metavar="URL", help="distributed run: push the seeds to this Redis")
    parser.add_argument("--workers", type=at_least(0), default=0, metavar="N",
                        help="with --redis: start N workers (scrapyd jobs with --scrapyd, else local processes)")
    parser.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                        help="extra Scrapy setting for the crawls (repeatable)")


class ScheduleError(RuntimeError):
    pass


def resolve_seeds(spec: str):
    """(portals, spider arguments naming the seed list).

    A file is passed as ``seeds=<absolute path>``; a built-in list as no ``seeds`` argument at
    all: the spider then reads every built-in list (from the package or the egg) and ``portal``
    picks the entries.
    """
    from gicrawler import seeds

    path = Path(spec)
    if path.is_file():
        return seeds.load_seeds(path), {"seeds": str(path.resolve())}
    try:  # a province file (guangdong) or a city's entries across them (zibo)
        return seeds.load_builtin(spec), {}
    except seeds.SeedError:
        raise ScheduleError(f"{spec}: no such seed file, and not a built-in seed list "
                            f"({', '.join(seeds.builtin_names())})") from None


def select(portals, names):
    if not names:
        return list(portals)
    known = {p.name for p in portals}
    unknown = sorted(set(names) - known)
    if unknown:
        raise ScheduleError(f"unknown portal(s) {', '.join(unknown)} (seed list has: {', '.join(sorted(known))})")
    return [p for p in portals if p.name in names]


# Settings whose secrets travel by environment: setting → the variable the crawl reads.
SECRET_VARIABLES = {"STORE_URI": "GICRAWLER_STORE", "GICRAWLER_REDIS_URL": "GICRAWLER_REDIS_URL"}


def crawl_settings(args) -> list[str]:
    settings = []
    if args.store:
        settings.append(f"STORE_URI={args.store}")
    for item in args.set:
        if "=" not in item:
            raise ScheduleError(f"--set {item!r}: expected NAME=VALUE")
        settings.append(item)
    return settings


def has_secret(value: str) -> bool:
    return mask_uri(value) != value


def without_secrets(settings: list[str]) -> tuple[list[str], dict[str, str]]:
    """(settings safe to show, environment variables carrying the secrets they refer to)."""
    shown, env = [], {}
    for item in settings:
        name, _, value = item.partition("=")
        if has_secret(value) and name in SECRET_VARIABLES:
            env[SECRET_VARIABLES[name]] = value
            shown.append(f"{name}=env:{SECRET_VARIABLES[name]}")
            continue
        if has_secret(value):
            print(f"gicrawler schedule: warning: --set {name}=… holds credentials and is passed as a "
                  "command-line argument, which other users of the host can read", file=sys.stderr)
        shown.append(item)
    return shown, env


def say_scrapyd_needs(env: dict[str, str], url: str) -> None:
    for variable in sorted(env):
        print(f"gicrawler schedule: {mask_uri(env[variable])} not sent to scrapyd (it would show in "
              f"listjobs.json, its log and the crawl's command line): the jobs read it from ${variable}, "
              f"which must be set in the environment scrapyd runs with on {mask_uri(url)}", file=sys.stderr)


def spider_args(args) -> dict[str, str]:
    extra = {}
    if args.full:
        extra["full"] = "1"
    if args.revalidate:
        extra["revalidate"] = "1"
    return extra


# --- scrapyd -----------------------------------------------------------------------------

def scrapyd_schedule(url: str, project: str, spider: str, arguments: dict, settings: list[str]) -> str:
    """schedule.json through scrapyd-client; returns the job id. scrapyd's own auth (scrapyd.conf
    username/password) may be given as http://user:pass@host:6800; no message shows it."""
    from requests import RequestException
    from scrapyd_client import ScrapydClient
    from scrapyd_client.exceptions import ErrorResponse, MalformedResponse

    parts = urllib.parse.urlsplit(url.rstrip("/"))
    client = ScrapydClient(urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2])),
                           username=urllib.parse.unquote(parts.username) if parts.username else None,
                           password=urllib.parse.unquote(parts.password or ""))
    endpoint = mask_uri(parts.geturl() + "/schedule.json")
    args = [*arguments.items(), *(("setting", s) for s in settings)]
    try:
        return client.schedule(project, spider, args)
    except ErrorResponse as exc:            # scrapyd said no: its message
        raise ScheduleError(f"{endpoint}: {exc}") from None
    except MalformedResponse as exc:        # not scrapyd's JSON (a 404 page, a proxy's 401 …)
        raise ScheduleError(f"{endpoint}: not a scrapyd answer: {str(exc)[:300]!r}") from None
    except (RequestException, OSError, KeyError) as exc:
        raise ScheduleError(f"{endpoint}: {mask_uri(str(exc), url)}") from None


# --- local processes ---------------------------------------------------------------------

def crawl_command(arguments: dict, settings: list[str]) -> list[str]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", SPIDER]
    for key, value in arguments.items():
        cmd += ["-a", f"{key}={value}"]
    for setting in settings:
        cmd += ["-s", setting]
    return cmd


def run_local(commands: list[tuple[str, list[str]]], jobs: int, secrets: dict[str, str] | None = None) -> int:
    """Run the crawl commands, at most ``jobs`` at once (``secrets``: more environment for
    them); returns the worst exit code.

    SIGTERM (a service manager, ``timeout``, ``kill``) is passed on to the running crawls, which
    stop as Scrapy does on it (gracefully, their stores flushed); no further one is started, and
    the exit status is 143. Killed alone, this process would leave them crawling on, orphaned.
    (Ctrl-C reaches them without help: the terminal signals the whole process group.)"""
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": os.environ.get("SCRAPY_SETTINGS_MODULE", "gicrawler.settings"),
           **(secrets or {})}
    pending, running, worst = list(commands), [], 0
    stopped: list[int] = []

    def pass_on(signum, _frame) -> None:
        stopped.append(signum)
        for _label, proc in running:
            if proc.poll() is None:
                proc.send_signal(signum)

    previous = signal.signal(signal.SIGTERM, pass_on)
    try:
        while pending or running:
            while pending and not stopped and len(running) < max(1, jobs):
                label, cmd = pending.pop(0)
                print(f"{label}: {mask_uri(' '.join(cmd[1:]))}", flush=True)  # -s STORE_URI=… may hold a password
                running.append((label, subprocess.Popen(cmd, env=env)))
            if stopped and pending:
                print(f"stopped by SIGTERM: {len(pending)} crawl(s) not started", flush=True)
                pending.clear()
            for label, proc in list(running):
                code = proc.poll()
                if code is not None:
                    running.remove((label, proc))
                    print(f"{label}: exit {code}", flush=True)
                    worst = max(worst, code)
            time.sleep(0.2)
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 128 + signal.SIGTERM if stopped else worst


# --- command -----------------------------------------------------------------------------

@one_line_errors(ScheduleError, ValueError)   # (a SeedError is a ValueError: it names the file, entry and field)
def run(args) -> int:
    portals, seeds_args = resolve_seeds(args.seeds)
    portals = select(portals, args.portal)
    settings, secrets = without_secrets(crawl_settings(args))
    extra = spider_args(args)

    if args.redis:
        return _run_distributed(args, portals, settings, secrets, extra)

    if args.scrapyd:
        say_scrapyd_needs(secrets, args.scrapyd)
        for portal in portals:
            job = scrapyd_schedule(args.scrapyd, args.project, SPIDER,
                                   {**seeds_args, "portal": portal.name, **extra}, settings)
            print(f"{portal.name}: scheduled job {job} on {mask_uri(args.scrapyd)}")
        return 0

    commands = [(p.name, crawl_command({**seeds_args, "portal": p.name, **extra}, settings))
                for p in portals]
    return run_local(commands, args.jobs, secrets)


def _run_distributed(args, portals, settings, secrets, extra) -> int:
    from gicrawler import distributed

    entries = [dataclasses.asdict(p) for p in portals]
    try:
        count = distributed.push_seeds(args.redis, entries, SPIDER)
    except Exception as exc:  # redis.ConnectionError etc.: say which server, not a traceback
        raise ScheduleError(f"Redis {mask_uri(args.redis)}: {exc}") from None
    print(f"pushed {count} seed entries to {mask_uri(args.redis)} ({distributed.keys(SPIDER)['seeds']})")
    if args.workers <= 0:
        print(f"start workers with: scrapy crawl {SPIDER} -s {distributed.SETTING}={mask_uri(args.redis)}")
        return 0
    shown, more = without_secrets([f"{distributed.SETTING}={args.redis}"])
    settings, secrets = settings + shown, {**secrets, **more}
    if args.scrapyd:
        say_scrapyd_needs(secrets, args.scrapyd)
        for i in range(args.workers):
            job = scrapyd_schedule(args.scrapyd, args.project, SPIDER, dict(extra), settings)
            print(f"worker {i + 1}: scheduled job {job} on {mask_uri(args.scrapyd)}")
        return 0
    commands = [(f"worker {i + 1}", crawl_command(dict(extra), settings)) for i in range(args.workers)]
    return run_local(commands, args.workers, secrets)
