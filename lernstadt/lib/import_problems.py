"""Problems found in an imported file, reported all at once."""

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with an imported file: where it is and what is wrong.

    ``line`` is the line in the file (1 = first line) for CSV; ``item`` is the
    position of an entry in a JSON-LD file (1 = first); ``column`` is the CSV
    column or the JSON property path. Reasons are German, for the people who
    fix the file.
    """

    file: str
    reason: str
    line: int | None = None
    column: str = ""
    item: int | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.line is not None:
            where.append(f"Zeile {self.line}")
        if self.item is not None:
            where.append(f"Eintrag {self.item}")
        if self.column:
            label = "Spalte" if self.item is None else "Eigenschaft"
            where.append(f"{label} „{self.column}“")
        return f"{', '.join(where)}: {self.reason}"


class ImportFailed(Exception):
    """The file cannot be imported; nothing was written."""

    def __init__(self, problems: Iterable[ImportProblem]) -> None:
        self.problems = list(problems)
        super().__init__(self.report())

    def report(self) -> str:
        count = len(self.problems)
        heading = (
            "Import abgebrochen, nichts wurde geändert: 1 Problem."
            if count == 1
            else f"Import abgebrochen, nichts wurde geändert: {count} Probleme."
        )
        return "\n".join([heading, *(f"- {problem}" for problem in self.problems)])
