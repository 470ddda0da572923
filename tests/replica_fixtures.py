"""Replica fixtures (owned by the replicas work; see gicrawler/replicas)."""
