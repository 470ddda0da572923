"""The ``gicrawler`` command: one subcommand per module in gicrawler.commands.

Each module exposes ``help`` (one line), ``add_arguments(parser)`` and ``run(args) -> int``.
"""
from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = ("demo", "replicas", "parse", "reparse", "export", "coverage", "report", "schedule", "checks", "seeds")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gicrawler", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        module = importlib.import_module(f"gicrawler.commands.{name}")
        cmd = sub.add_parser(name, help=module.help, description=module.help)
        module.add_arguments(cmd)
        cmd.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    from gicrawler import oneline

    oneline.install()  # warnings are one line here too
    args = build_parser().parse_args(argv)
    try:
        return args._run(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
