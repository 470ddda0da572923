"""Scheduler queue: no host gets more of the downloader than it can use while others wait.

``SCHEDULER_PRIORITY_QUEUE = "gicrawler.scheduling.HostFairPriorityQueue"`` (settings.py).

Scrapy counts a request waiting in a host's download slot (for DOWNLOAD_DELAY, AutoThrottle or a
retry backoff, gicrawler.middlewares.BackoffRetryMiddleware) against CONCURRENT_REQUESTS. Its
DownloaderAwarePriorityQueue prefers the host with the fewest requests in the downloader, but
still hands a slow or backing-off host requests whenever it is the only one with requests pending
at that moment; they then wait in its slot, one per delay, and a few of them fill
CONCURRENT_REQUESTS: every other portal stalls behind one failing server (issue 9.11).

This queue does not hand a host a request while requests are already waiting in its slot (for
its delay, or for a free transfer of its CONCURRENT_REQUESTS_PER_DOMAIN): one waiting request per
host is enough to keep it busy, so a host holds at most that many plus one. It hands it the next
one when the slot has sent what it held. Nothing is dropped or reordered within a host; the disk
queues (JOBDIR) are the parent's. Without delays (tests, benchmarks) slots never hold requests
back, and nothing changes.
"""
from __future__ import annotations

from scrapy import Request
from scrapy.pqueues import DownloaderAwarePriorityQueue


class HostFairPriorityQueue(DownloaderAwarePriorityQueue):
    def _with_room(self, stats: list[tuple[int, str]]) -> list[tuple[int, str]]:
        """The (active, slot) pairs whose download slot holds no request back."""
        slots = self._downloader_interface.downloader.slots
        return [(active, key) for active, key in stats if key not in slots or not slots[key].queue]

    def _next_slot(self, stats: list[tuple[int, str]], *, update_state: bool) -> str:
        return super()._next_slot(self._with_room(stats) or stats, update_state=update_state)

    def pop(self) -> Request | None:
        stats = self._downloader_interface.stats(self.pqueues)
        if stats and not self._with_room(stats):
            return None  # every host with requests holds some back: the engine asks again when one sent it
        return super().pop()
