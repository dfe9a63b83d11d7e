"""FAQ entries and the errors a FAQ source can have."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FaqEntry:
    id: str
    question: str
    answer: str
    alternates: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    source: str = field(default="", compare=False)
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class FaqError:
    """One problem in a FAQ source, printed as `file:line: message` like a compiler."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class FaqLoadError(Exception):
    """A FAQ source has errors; nothing from it was loaded."""

    def __init__(self, errors: list[FaqError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))
