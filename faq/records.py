"""FAQ entries as plain data: the JSON records a stored version holds, and YAML for export.

Records come back from a shared store that anything with access can write to, so reading them
validates every field as strictly as the loaders do a file; `line` in an error is the entry's
position in the list.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml

from faq.loaders import ID_RE, duplicate_ids, size_errors
from faq.models import FaqEntry, FaqError, FaqLoadError

_TEXTS = ("id", "question", "answer")
_LISTS = ("alternates", "tags", "links")


def to_record(entry: FaqEntry) -> dict[str, Any]:
    record: dict[str, Any] = {"id": entry.id, "question": entry.question, "answer": entry.answer}
    for key in _LISTS:
        values = getattr(entry, key)
        if values:
            record[key] = list(values)
    return record


def to_records(entries: Iterable[FaqEntry]) -> list[dict[str, Any]]:
    return [to_record(entry) for entry in entries]


def from_records(data: object, name: str) -> list[FaqEntry]:
    """Entries from records; raise FaqLoadError listing every record that is not a valid entry."""
    if not isinstance(data, list) or not data:
        raise FaqLoadError([FaqError(name, 0, "expected a non-empty list of entries")])
    entries: list[FaqEntry] = []
    errors: list[FaqError] = []
    for number, record in enumerate(data, start=1):
        problem = _problem(record)
        if problem:
            errors.append(FaqError(name, number, problem))
            continue
        entries.append(
            FaqEntry(
                id=record["id"].strip(),
                question=record["question"].strip(),
                answer=record["answer"].strip(),
                **{key: tuple(v.strip() for v in record.get(key, ())) for key in _LISTS},
                source=name,
                line=number,
            )
        )
    errors.extend(size_errors(entries))
    errors.extend(duplicate_ids(entries))
    if errors:
        raise FaqLoadError(errors)
    return entries


def _problem(record: object) -> str:
    if not isinstance(record, dict):
        return "expected an entry (a mapping with id, question, answer)"
    unknown = sorted(set(record) - {*_TEXTS, *_LISTS})
    if unknown:
        return f"unknown key {unknown[0]!r}"
    for key in _TEXTS:
        value = record.get(key)
        if not isinstance(value, str) or not value.strip():
            return f"{key!r} must be a non-empty string"
    if not ID_RE.match(record["id"].strip()):
        return f"id {record['id']!r} must be letters, digits, '.', '_' or '-'"
    for key in _LISTS:
        values = record.get(key, [])
        if not isinstance(values, list) or not all(
            isinstance(v, str) and v.strip() for v in values
        ):
            return f"{key!r} must be a list of non-empty strings"
    return ""


class _ExportDumper(yaml.SafeDumper):
    """Multi-line answers as `|` blocks, so an exported FAQ reads like a hand-written one."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_ExportDumper.add_representer(str, _text)


def to_yaml(entries: Iterable[FaqEntry]) -> str:
    """The canonical YAML format `faq/loaders.py` reads back to the same entries."""
    return yaml.dump(
        to_records(entries),
        Dumper=_ExportDumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )
