"""Local replicas of real government portals, for tests, benchmarks and ``gicrawler demo``.

``ReplicaSet.start()`` serves 淄博 (Shandong ``/gongkai/``, JS-rendered lists), 嘉兴 (Hanweb
jpage + JPaaS unitbuild) and 黄石 (TRS, GBK, 瑞数-style 412 challenge) on 127.0.0.1, each with the
URL shapes, parameters and markup of its family (docs/families.md); ``ReplicaSet.start(scale=N)``
serves one generated TRS portal with N reports for benchmarks. server.ReplicaSet is the API;
portal.py the base of the family modules; layouts.py (the tables as printed, from the template),
writers.py (HTML, PDF, DOCX) and samples.py (the five sample reports) make the report documents.

Nothing outside this package may import it (the crawler must not know it talks to a replica).
"""
from gicrawler.replicas.server import ReplicaSet

__all__ = ["ReplicaSet"]
