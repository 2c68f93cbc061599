"""Problems are values with a place: a file, a line, a message and a hint."""

from __future__ import annotations

import sys
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


class BuildError(Exception):
    """The build cannot go on; carries every problem found so far."""

    def __init__(self, problems: list[Problem] | Problem) -> None:
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


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
