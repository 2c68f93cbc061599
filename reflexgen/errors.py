"""Problems are values with a place: a file, a line, a message and a hint."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as we know."""

    message: str
    path: Path | str | None = None
    line: int | None = None
    hint: str | None = None

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        text = where + self.message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`count` and `noun` in proper English: « no problems », « 1 error », « 9 pages »."""
    many = plural or noun + "s"
    return f"no {many}" if count == 0 else f"{count} {noun if count == 1 else many}"


class BuildError(Exception):
    """The build cannot go on; carries every problem found so far."""

    def __init__(self, problems: list[Problem] | Problem) -> None:
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):  # cross process boundaries intact
        return (BuildError, (self.problems,))


class Reporter:
    """The one channel for messages: the build logic never prints."""

    def __init__(self, verbosity: int = 0, stream: TextIO | None = None) -> None:
        self.verbosity = verbosity
        self.stream = stream if stream is not None else sys.stderr
        self.warnings: list[Problem] = []

    def warn(self, problem: Problem) -> None:
        self.warnings.append(problem)
        if self.verbosity >= 0:
            print(f"warning: {problem}", file=self.stream)

    def error(self, problem: Problem) -> None:
        print(f"error: {problem}", file=self.stream)

    def info(self, message: str) -> None:
        if self.verbosity >= 0:
            print(message, file=self.stream)

    def debug(self, message: str) -> None:
        if self.verbosity > 0:
            print(message, file=self.stream)

    def progress(self, label: str, total: int) -> Callable[[int], None] | None:
        """A progress line redrawn in place, on a terminal only (never in a pipe or a log)."""
        if self.verbosity < 0 or total < 200 or not self.stream.isatty():
            return None
        shown = [-1]

        def show(done: int) -> None:
            percent = 100 * done // total
            if percent != shown[0]:
                shown[0] = percent
                end = "\n" if done == total else ""
                print(f"\r{label} {done}/{total} ({percent}%)", end=end, file=self.stream,
                      flush=True)

        return show
