"""Analyses over stored records: pure functions from records to tables (coverage, cross-store checks)."""
