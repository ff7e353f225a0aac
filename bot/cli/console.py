"""What every command shares: one-line output, one-line argument errors, and tables padded for a terminal."""

from __future__ import annotations

import argparse
import sys
import unicodedata
from typing import NoReturn, TypeAlias


def out(text: str) -> None:
    """Print one line to stdout."""
    sys.stdout.write(text + "\n")


class Parser(argparse.ArgumentParser):
    """argparse, but a mistake on the command line is one line (``hamkke program add: error: …``), exit 2."""

    def error(self, message: str) -> NoReturn:
        """Print the usage error in one line and exit 2."""
        self.exit(2, f"{self.prog}: error: {message}\n")


# What ``add_subparsers`` returns, for the functions that add one command's parser.
SubParsers: TypeAlias = "argparse._SubParsersAction[Parser]"


class BadInput(Exception):
    """A command-line value that could not be read; the argument is the line to show (already translated)."""


def fail(line: str) -> int:
    """Say on stderr, in one line, why a command was refused; the exit code of a refusal."""
    sys.stderr.write(f"hamkke: {line}\n")
    return 2


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def table(rows: list[list[str]]) -> list[str]:
    """Columns padded for a terminal, Hangul counted as two cells."""
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)).rstrip()
            for row in rows]
