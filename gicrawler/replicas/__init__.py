"""Local replicas of real government portals, for tests, benchmarks and ``gicrawler demo``.

``ReplicaSet.start()`` serves 淄博 (Shandong ``/gongkai/``, JS-rendered lists), 嘉兴 (Hanweb
jpage + JPaaS unitbuild) and 黄石 (TRS, GBK, 瑞数-style 412 challenge) on 127.0.0.1, each with the
URL shapes, parameters and markup of portals-research.md; ``ReplicaSet.start(scale=N)`` serves one
generated TRS portal with N reports for benchmarks. See server.ReplicaSet for the API and
render.py for the report renderers (HTML tables, PDF, DOCX).

Nothing outside this package may import it (the crawler must not know it talks to a replica).
"""
from gicrawler.replicas.server import ReplicaSet

__all__ = ["ReplicaSet"]
