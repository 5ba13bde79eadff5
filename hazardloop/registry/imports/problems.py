"""What is wrong with an uploaded file: a problem per cell, row or file, and the bounded list
that collects them all, so a clerk can fix the whole file in one pass."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

MAX_PROBLEMS_KEPT = 5000  # every problem is counted; the first this many are listed in full

Progress = Callable[[int, int], None]


class CellError(ValueError):
    """A cell that cannot be read as its column needs; the message is Chinese, for the clerk."""


class FileProblem(Exception):
    """The file as a whole cannot be imported (not Excel, empty, too many rows, wrong header)."""


@dataclass(frozen=True)
class Problem:
    row: int | None  # as Excel numbers it; None when the problem is the file's
    column: str  # letter, "" when the problem is the row's or the file's
    header: str
    message: str
    value: str = ""

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "column": self.column,
            "header": self.header,
            "message": self.message,
            "value": self.value,
        }

    @property
    def sort_key(self) -> tuple:
        return (self.row or 0, len(self.column), self.column)


class Problems:
    """Every problem is counted; the first `limit` are kept to show, so a file that is wrong in
    every cell of 100,000 rows does not fill the database with its error list."""

    def __init__(self, limit: int = MAX_PROBLEMS_KEPT):
        self.limit = limit
        self.items: list[Problem] = []
        self.count = 0

    def add(self, problem: Problem) -> None:
        self.count += 1
        if len(self.items) < self.limit:
            self.items.append(problem)

    def __bool__(self) -> bool:
        return self.count > 0

    def sorted(self) -> list[Problem]:
        return sorted(self.items, key=lambda p: p.sort_key)
