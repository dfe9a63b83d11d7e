"""Read a FAQ from YAML, Markdown, CSV or a folder of them, with `file:line` errors.

Every loader collects all the problems it finds instead of stopping at the first, so `faqbot faq
check` can list them together; nothing is returned unless the whole source is valid.

A reload reads files from chat attachments and URLs, so a source is also bounded: its size, its
entry count, its texts' lengths, and in YAML its nesting and number of values; anchors and aliases
are refused, since a few KB of them expand into gigabytes ("billion laughs"). Each limit is
reported like any other mistake, with its line, before the memory or the stack runs out.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path

import yaml

from faq.models import FaqEntry, FaqError, FaqLoadError

FAQ_SUFFIXES = {".yaml", ".yml", ".md", ".markdown", ".csv"}
# Files that live in a FAQ folder without being FAQ entries (see DESIGN.md, "FAQ file format").
GOLDEN_NAMES = {"golden.yaml", "golden.yml"}
PENDING_DIR = "pending"

_REQUIRED = ("id", "question", "answer")
_LISTS = ("alternates", "tags", "links")
_KNOWN = set(_REQUIRED) | set(_LISTS)
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")

# The limits are generous for a hand-written FAQ and reach the 100,000 entries the index is
# benchmarked at (docs/benchmarks.md); past them a file is more likely a mistake or an attack.
MAX_FILE_BYTES = 20_000_000
MAX_ENTRIES = 100_000
MAX_ANSWER_CHARS = 20_000
# A question, an alternate, a tag or a link.
MAX_TEXT_CHARS = 2_000
MAX_LIST_ITEMS = 200
# An entry needs 4 levels (the list, the entry, a list of alternates, a string).
MAX_YAML_DEPTH = 10
# About 0.6 KB of memory each while a file is parsed: 1,000,000 stays below what the index of the
# largest FAQ costs anyway.
MAX_YAML_VALUES = 1_000_000


def slugify(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:80] or "entry"


def load_faq(path: Path) -> list[FaqEntry]:
    """Load a file or folder; raise FaqLoadError listing every problem."""
    errors: list[FaqError] = []
    entries: list[FaqEntry] = []
    if not path.exists():
        raise FaqLoadError([FaqError(str(path), 0, "no such file or folder")])
    files = list(faq_files(path)) if path.is_dir() else [path]
    for file in files:
        file_entries, file_errors = load_file(file)
        entries.extend(file_entries)
        errors.extend(file_errors)
        if len(entries) > MAX_ENTRIES:
            break
    return _complete(entries, errors, str(path))


def load_bytes(raw: bytes, name: str) -> list[FaqEntry]:
    """Load one uploaded file (an attachment, a URL's body); its extension picks the format."""
    if Path(name).suffix.lower() not in FAQ_SUFFIXES:
        formats = ", ".join(sorted(FAQ_SUFFIXES))
        raise FaqLoadError([FaqError(name, 0, f"not a FAQ file: the name must end in {formats}")])
    entries, errors = parse_bytes(raw, name)
    return _complete(entries, errors, name)


def _complete(entries: list[FaqEntry], errors: list[FaqError], name: str) -> list[FaqEntry]:
    if len(entries) > MAX_ENTRIES:
        extra = entries[MAX_ENTRIES]
        errors.append(
            FaqError(extra.source, extra.line, f"more than {MAX_ENTRIES:,} entries in the FAQ")
        )
    errors.extend(size_errors(entries))
    errors.extend(duplicate_ids(entries))
    if not entries and not errors:
        errors.append(FaqError(name, 0, "no FAQ entries found"))
    if errors:
        raise FaqLoadError(errors)
    return entries


def faq_files(folder: Path) -> Iterator[Path]:
    for file in sorted(folder.rglob("*")):
        rel = file.relative_to(folder)
        if (
            file.is_file()
            and file.suffix.lower() in FAQ_SUFFIXES
            and file.name.lower() not in GOLDEN_NAMES
            and PENDING_DIR not in rel.parts[:-1]
            and not any(part.startswith(".") for part in rel.parts)
        ):
            yield file


def load_file(path: Path) -> tuple[list[FaqEntry], list[FaqError]]:
    try:
        # Checked before reading: a huge file must not be read into memory to be refused.
        if path.stat().st_size > MAX_FILE_BYTES:
            return [], [_too_big(str(path))]
        raw = path.read_bytes()
    except OSError as exc:
        return [], [FaqError(str(path), 0, f"cannot read: {exc.strerror or exc}")]
    return parse_bytes(raw, str(path))


def _too_big(name: str) -> FaqError:
    return FaqError(name, 0, f"larger than {MAX_FILE_BYTES:,} bytes; split it into several files")


# What a file parsed to, by its name and content: a process reads the same files again and again
# (every replica a test suite builds, a reload of unchanged files) and the YAML parser, pure
# Python, is most of what building a bot costs. Entries and errors are immutable, so sharing them
# is safe; only the hash of a file's bytes is kept, not the bytes.
_PARSED: OrderedDict[tuple[bytes, str], tuple[tuple[FaqEntry, ...], tuple[FaqError, ...]]] = (
    OrderedDict()
)
_PARSED_KEEP = 16
_parsed_lock = threading.Lock()


def parse_bytes(raw: bytes, name: str) -> tuple[list[FaqEntry], list[FaqError]]:
    if len(raw) > MAX_FILE_BYTES:
        return [], [_too_big(name)]
    key = (hashlib.sha256(raw).digest(), name)
    with _parsed_lock:
        known = _PARSED.get(key)
        if known is not None:
            _PARSED.move_to_end(key)
    if known is None:
        entries, errors = _parse(raw, name)
        known = (tuple(entries), tuple(errors))
        with _parsed_lock:
            _PARSED[key] = known
            while len(_PARSED) > _PARSED_KEEP:
                _PARSED.popitem(last=False)
    return list(known[0]), list(known[1])


def _parse(raw: bytes, name: str) -> tuple[list[FaqEntry], list[FaqError]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return [], [FaqError(name, line, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})")]
    suffix = Path(name).suffix.lower()
    if suffix in (".md", ".markdown"):
        return parse_markdown(text, name)
    if suffix == ".csv":
        return parse_csv(text, name)
    return parse_yaml(text, name)


class _Refused(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


_TOO_DEEP = (
    f"nested deeper than {MAX_YAML_DEPTH} levels; an entry's values are strings or lists of strings"
)
# libyaml's own bound on nesting, which its scanner can meet before the parser yields the level.
_LIBYAML_TOO_DEEP = "exceeded maximum nesting depth"
# libyaml's parser and composer, where PyYAML was built with it (its wheels are): about ten
# times quicker than the pure-Python ones, which are the fallback.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _check_bounds(text: str) -> None:
    """Refuse anchors and aliases, nesting and size beyond the limits, reading the document's
    events before any node exists: composing recurses once per level and holds every node."""
    depth = values = 0
    for event in yaml.parse(text, Loader=_YAML_LOADER):
        if isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        if not isinstance(event, yaml.NodeEvent):
            continue
        line = event.start_mark.line + 1 if event.start_mark else 1
        if isinstance(event, yaml.AliasEvent) or event.anchor:
            raise _Refused(
                line,
                "YAML anchors and aliases (&name, *name) are not allowed in a FAQ; "
                "write the text out in full",
            )
        values += 1
        if values > MAX_YAML_VALUES:
            raise _Refused(
                line,
                f"more than {MAX_YAML_VALUES:,} values in one file; split it into several files",
            )
        if depth >= MAX_YAML_DEPTH:
            raise _Refused(line, _TOO_DEEP)
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1


def compose_yaml(text: str, name: str) -> yaml.Node | None:
    """The document's node tree (None when empty), bounded as the module says; FaqLoadError with
    the line of the problem otherwise."""
    try:
        _check_bounds(text)
        node: yaml.Node | None = yaml.compose(text, Loader=_YAML_LOADER)
    except _Refused as exc:
        raise FaqLoadError([FaqError(name, exc.line, exc.message)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = (
            _TOO_DEEP
            if exc.problem == _LIBYAML_TOO_DEEP
            else f"invalid YAML: {exc.problem or exc.context}{_quoting_hint(text, line)}"
        )
        raise FaqLoadError([FaqError(name, line, problem)]) from None
    except yaml.YAMLError as exc:
        raise FaqLoadError([FaqError(name, 1, f"invalid YAML: {exc}")]) from None
    return node


def _quoting_hint(text: str, line: int) -> str:
    """How to fix the usual cause of a syntax error in a FAQ: a question's `?` in a `[...]` list
    or a `: ` inside an unquoted value, which YAML reads as its own syntax."""
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return ""
    value = lines[line - 1].partition(":")[2]
    if "?" in value or ": " in value:
        return "; put the question in quotes (\"...\"): unquoted, YAML takes '?' and ': ' as syntax"
    return ""


def parse_yaml(text: str, name: str) -> tuple[list[FaqEntry], list[FaqError]]:
    try:
        root = compose_yaml(text, name)
    except FaqLoadError as exc:
        return [], exc.errors
    if root is None:
        return [], [FaqError(name, 1, "the file is empty; expected a list of entries")]
    if not isinstance(root, yaml.SequenceNode):
        return [], [FaqError(name, _line(root), "expected a list of entries")]
    entries: list[FaqEntry] = []
    errors: list[FaqError] = []
    for item in root.value:
        entry, item_errors = _yaml_entry(item, name)
        errors.extend(item_errors)
        if entry is not None:
            entries.append(entry)
        # One entry too many is enough for _complete to report the limit.
        if len(entries) > MAX_ENTRIES:
            break
    return entries, errors


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _yaml_entry(node: yaml.Node, name: str) -> tuple[FaqEntry | None, list[FaqError]]:
    line = _line(node)
    if not isinstance(node, yaml.MappingNode):
        return None, [
            FaqError(name, line, "expected an entry (a mapping with id, question, answer)")
        ]
    errors: list[FaqError] = []
    fields: dict[str, str | tuple[str, ...]] = {}
    present: set[str] = set()
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            errors.append(
                FaqError(name, _line(key_node), f"a key must be one word; allowed: {_allowed()}")
            )
            continue
        key = str(key_node.value)
        if key not in _KNOWN:
            errors.append(
                FaqError(name, _line(key_node), f"unknown key {key!r}; allowed: {_allowed()}")
            )
        elif key in present:
            errors.append(FaqError(name, _line(key_node), f"key {key!r} is given twice"))
        elif key in _LISTS:
            present.add(key)
            value = _string_list(value_node, key, name, errors)
            if value is not None:
                fields[key] = value
        else:
            present.add(key)
            text = _scalar_text(value_node)
            if text:
                fields[key] = text
            else:
                errors.append(
                    FaqError(name, _line(value_node), f"{key!r} must be a non-empty string")
                )
    errors.extend(
        FaqError(name, line, f"missing {key!r}") for key in _REQUIRED if key not in present
    )
    if errors:
        return None, errors
    return _entry(fields, name, line, errors), errors


def _scalar_text(node: yaml.Node) -> str:
    if not isinstance(node, yaml.ScalarNode) or node.tag == "tag:yaml.org,2002:null":
        return ""
    return str(node.value).strip()


def _allowed() -> str:
    return ", ".join([*_REQUIRED, *_LISTS])


def _string_list(
    node: yaml.Node, key: str, name: str, errors: list[FaqError]
) -> tuple[str, ...] | None:
    if not isinstance(node, yaml.SequenceNode):
        errors.append(FaqError(name, _line(node), f"{key!r} must be a list of strings"))
        return None
    items: list[str] = []
    for item in node.value:
        if not isinstance(item, yaml.ScalarNode) or not str(item.value).strip():
            errors.append(FaqError(name, _line(item), f"{key!r} items must be non-empty strings"))
        else:
            items.append(str(item.value).strip())
    return tuple(items)


def _entry(
    fields: dict[str, str | tuple[str, ...]],
    name: str,
    line: int,
    errors: list[FaqError],
) -> FaqEntry | None:
    entry_id = str(fields["id"])
    if not ID_RE.match(entry_id):
        errors.append(
            FaqError(name, line, f"id {entry_id!r} must be letters, digits, '.', '_' or '-'")
        )
        return None

    def strings(key: str) -> tuple[str, ...]:
        value = fields.get(key, ())
        return value if isinstance(value, tuple) else (value,)

    return FaqEntry(
        id=entry_id,
        question=str(fields["question"]),
        answer=str(fields["answer"]),
        alternates=strings("alternates"),
        tags=strings("tags"),
        links=strings("links"),
        source=name,
        line=line,
    )


def parse_markdown(text: str, name: str) -> tuple[list[FaqEntry], list[FaqError]]:
    """`## question` starts an entry; the text up to the next heading is its answer."""
    entries: list[FaqEntry] = []
    errors: list[FaqError] = []
    current: tuple[str, int] | None = None
    body: list[str] = []

    def close() -> None:
        if current is None:
            return
        question, line = current
        answer = "\n".join(body).strip()
        if not answer:
            errors.append(FaqError(name, line, f"question {question!r} has no answer below it"))
        else:
            entry_id = slugify(question)
            entries.append(FaqEntry(entry_id, question, answer, source=name, line=line))

    for number, raw_line in enumerate(text.splitlines(), start=1):
        heading = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", raw_line)
        if heading and len(heading.group(1)) <= 2:
            close()
            if len(entries) > MAX_ENTRIES:
                return entries, errors
            current, body = None, []
            if heading.group(1) == "##":
                if heading.group(2):
                    current = (heading.group(2), number)
                else:
                    errors.append(FaqError(name, number, "empty question heading"))
        elif current is not None:
            body.append(raw_line)
    close()
    if not entries and not errors:
        errors.append(FaqError(name, 1, "no '## question' headings found"))
    return entries, errors


def parse_csv(text: str, name: str) -> tuple[list[FaqEntry], list[FaqError]]:
    """Columns `question,answer[,id,tags]`; tags are separated by ';'."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [column.strip().lower() for column in next(reader)]
    except StopIteration:
        return [], [FaqError(name, 1, "the file is empty; expected a header question,answer")]
    except csv.Error as exc:
        return [], [FaqError(name, 1, f"invalid CSV: {exc}")]
    allowed = {"question", "answer", "id", "tags"}
    errors = [
        FaqError(name, 1, f"unknown column {c!r}; allowed: {', '.join(sorted(allowed))}")
        for c in header
        if c not in allowed
    ]
    errors.extend(
        FaqError(name, 1, f"missing column {c!r}")
        for c in ("question", "answer")
        if c not in header
    )
    if errors:
        return [], errors
    entries: list[FaqEntry] = []
    line = 1
    try:
        for row in reader:
            line = reader.line_num
            if len(entries) > MAX_ENTRIES:
                break
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                errors.append(
                    FaqError(name, line, f"expected {len(header)} fields, got {len(row)}")
                )
                continue
            record = {column: cell.strip() for column, cell in zip(header, row, strict=True)}
            empty = [c for c in ("question", "answer") if not record[c]]
            if empty:
                errors.extend(FaqError(name, line, f"{c!r} is empty") for c in empty)
                continue
            entry_id = record.get("id") or slugify(record["question"])
            if not ID_RE.match(entry_id):
                errors.append(
                    FaqError(
                        name,
                        line,
                        f"id {entry_id!r} must be letters, digits, '.', '_' or '-'",
                    )
                )
                continue
            tags = tuple(t.strip() for t in record.get("tags", "").split(";") if t.strip())
            entries.append(
                FaqEntry(
                    entry_id,
                    record["question"],
                    record["answer"],
                    tags=tags,
                    source=name,
                    line=line,
                )
            )
    except csv.Error as exc:
        errors.append(FaqError(name, line + 1, f"invalid CSV: {exc}"))
    return entries, errors


def size_errors(entries: list[FaqEntry]) -> list[FaqError]:
    """Texts and lists longer than a FAQ entry needs, named with the entry's place."""
    errors = []
    for entry in entries:

        def problem(message: str, entry: FaqEntry = entry) -> None:
            errors.append(FaqError(entry.source, entry.line, message))

        if len(entry.question) > MAX_TEXT_CHARS:
            problem(_too_long("'question'", len(entry.question), MAX_TEXT_CHARS))
        if len(entry.answer) > MAX_ANSWER_CHARS:
            problem(_too_long("'answer'", len(entry.answer), MAX_ANSWER_CHARS))
        for key in _LISTS:
            values: tuple[str, ...] = getattr(entry, key)
            if len(values) > MAX_LIST_ITEMS:
                problem(f"{key!r} has {len(values):,} items; at most {MAX_LIST_ITEMS} are allowed")
            longest = max((len(value) for value in values), default=0)
            if longest > MAX_TEXT_CHARS:
                problem(_too_long(f"an item of {key!r}", longest, MAX_TEXT_CHARS))
    return errors


def _too_long(what: str, length: int, limit: int) -> str:
    return f"{what} is {length:,} characters long; at most {limit:,} are allowed"


def duplicate_ids(entries: list[FaqEntry]) -> list[FaqError]:
    first: dict[str, FaqEntry] = {}
    errors: list[FaqError] = []
    for entry in entries:
        if entry.id in first:
            seen = first[entry.id]
            errors.append(
                FaqError(
                    entry.source,
                    entry.line,
                    f"duplicate id {entry.id!r} (first at {seen.source}:{seen.line})",
                )
            )
        else:
            first[entry.id] = entry
    return errors
