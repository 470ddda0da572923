"""`scrapy crawl` whose exit status says whether the crawl did its job.

Scrapy exits 1 only when a crawl fails to start, and 0 after any crawl that ran; to cron,
`gicrawler schedule`, scrapyd and CI a crawl that reached nothing would look like a success.

- 2: not crawled — a bad seed file or spider argument (one line on stderr, no traceback), or the
  store / the spool unavailable (``StorePipeline`` closes the spider at once);
- 1: crawled, but a portal failed: every index URL of it failed (``gicrawler/<portal>/unreachable``,
  set by the spider), or it found no report where its previous run found some
  (``gicrawler/<portal>/zero_reports``, set by ``PortalStats``); or records did not reach the
  store: lost on the way (``gicrawler/lost``, pipelines/ledger.py), refused by it, or kept in the
  spool for the next run (``gicrawler/spooled``); also Scrapy's own start failures;
- 0: otherwise. A single report that failed is no failure of the crawl: it is recorded on its
  record (``fetch_error``), like an attachment's ``error`` or ``skipped``.
"""
from __future__ import annotations

import logging
import sys
from collections.abc import Mapping

from scrapy.commands import crawl
from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)

# finish reasons set by gicrawler.pipelines.store.StorePipeline when it refuses to crawl
STORE_FAILURES = frozenset({"store_unavailable", "spool_unavailable"})
# per-portal flags that fail the crawl, and what they mean
PORTAL_FAILURES = {
    "unreachable": "every index URL failed",
    "zero_reports": "found no report where the previous run found some",
    "store_errors": "records refused by the store",
}
# crawl-wide counts of records that are not in the store at the end (set by the store pipeline)
RECORD_FAILURES = {
    "lost": "{n} downloaded reports not stored (named in the log)",
    "spooled": "{n} records not in the store, kept in the spool for the next run",
    "store_refused_flushes": "the store refused writes in {n} batch(es)",
    "spool_dropped": "{n} spooled records refused by the store",
    "store_lost": "the store lost records (see the log)",
}
NOT_STARTED, PORTAL_FAILED = 2, 1


def exit_status(stats: Mapping) -> tuple[int, list[str]]:
    """(exit status, one phrase per failure) for a finished crawl's stats."""
    reason = stats.get("finish_reason")
    if reason in STORE_FAILURES:
        return NOT_STARTED, [f"not crawled ({reason}): {stats.get('gicrawler/store_error') or 'see the log'}"]
    problems = []
    for key in sorted(stats):
        parts = key.split("/")
        if len(parts) == 3 and parts[0] == "gicrawler" and parts[2] in PORTAL_FAILURES and stats[key]:
            problems.append(f"portal {parts[1]}: {PORTAL_FAILURES[parts[2]]}")
    for key, message in RECORD_FAILURES.items():
        if stats.get(f"gicrawler/{key}"):
            problems.append(message.format(n=stats[f"gicrawler/{key}"]))
    return (PORTAL_FAILED if problems else 0), problems


# Items are what a crawl downloads; an incremental re-crawl skips unchanged reports (README,
# Incremental crawling), so a feed export holds only the new and changed ones.
FEED_NOTE = (" — on a re-crawl only NEW or CHANGED reports are items (unchanged ones are skipped); "
             "`gicrawler export` gives every stored record")


class Command(crawl.Command):
    _crawler = None
    _argument_error: str | None = None

    def add_options(self, parser) -> None:
        super().add_options(parser)
        for action in parser._actions:
            if {"-o", "-O"} & set(action.option_strings):
                action.help += FEED_NOTE

    def _create_crawler(self, spidercls):
        self._crawler = super()._create_crawler(spidercls)
        return self._crawler

    def run(self, args, opts) -> None:
        if len(args) != 1:
            return super().run(args, opts)  # Scrapy's usage errors
        crawler = self._create_crawler(args[0])
        _on_failure(self.crawler_process.crawl(crawler, **opts.spargs), lambda exc: self._not_started(crawler, exc))
        self.crawler_process.start()
        if self._argument_error is not None:
            print(f"scrapy crawl {args[0]}: {self._argument_error}", file=sys.stderr)
            self.exitcode = NOT_STARTED
            return
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        self.exitcode, problems = exit_status(crawler.stats.get_stats())
        if problems:
            print(f"scrapy crawl {args[0]}: exit {self.exitcode}: {'; '.join(problems)}", file=sys.stderr)

    def _not_started(self, crawler, exc: BaseException) -> None:
        # The spider could not be built from its arguments (SeedError and the like are
        # ValueErrors naming the file, entry and field): that sentence is the whole story.
        if isinstance(exc, ValueError) and getattr(crawler, "spider", None) is None:
            self._argument_error = " ".join(str(exc).split())
        else:  # anything else is a bug: keep its traceback (this callback consumed it)
            logger.error("crawl failed to start", exc_info=(type(exc), exc, exc.__traceback__))


def _on_failure(started, callback) -> None:
    """Call ``callback(exception)`` if the crawl (an asyncio Task or a Deferred) fails to start;
    retrieving the exception here also keeps asyncio from printing it as never retrieved."""
    if isinstance(started, Deferred):
        started.addErrback(lambda failure: callback(failure.value))
        return

    def done(task):
        if not task.cancelled() and task.exception() is not None:
            callback(task.exception())

    started.add_done_callback(done)
