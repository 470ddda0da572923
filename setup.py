# Shim for scrapyd-deploy, which runs `setup.py bdist_egg` and would otherwise write its own
# setup.py (name "project", find_packages()). All metadata, packages and package data
# (seeds/ -> gicrawler.seedfiles/*.yaml, replicas data) come from pyproject.toml.
from setuptools import setup

setup()
