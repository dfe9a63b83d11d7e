"""Admins write FAQs in YAML, Markdown or CSV; mistakes come back as `file:line: message`."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.knowledge.evaluation import load_cases
from faq.index import FaqIndex
from faq.loaders import load_faq
from faq.models import FaqEntry, FaqLoadError
from faq.records import from_records, to_records, to_yaml
from faq.repository import BUNDLED_FAQ, Changes, FaqRepository, content_version, index_of


def errors_of(path: Path) -> list[str]:
    with pytest.raises(FaqLoadError) as caught:
        load_faq(path)
    return [str(e) for e in caught.value.errors]


def test_the_bundled_faq_is_valid_realistic_and_bilingual() -> None:
    entries = load_faq(BUNDLED_FAQ)
    assert len(entries) >= 40
    french = [e for e in entries if any(ch in e.answer for ch in "éèàç") and " le " in e.answer]
    assert len(french) >= 3


def test_yaml_entries_keep_every_field(tmp_path: Path) -> None:
    path = tmp_path / "faq.yaml"
    path.write_text(
        "- id: hours\n  question: When are you open?\n  answer: 9 to 5.\n"
        "  alternates: [opening hours]\n  tags: [support]\n  links: [https://example.com/hours]\n"
    )
    [entry] = load_faq(path)
    assert (entry.id, entry.question, entry.answer) == ("hours", "When are you open?", "9 to 5.")
    assert entry.alternates == ("opening hours",) and entry.tags == ("support",)
    assert entry.links == ("https://example.com/hours",) and entry.line == 1


def test_every_yaml_mistake_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "faq.yaml"
    path.write_text(
        "- id: a\n"  # 1
        "  question: Q?\n"  # 2
        "  answer: ''\n"  # 3
        "  colour: blue\n"  # 4
        "- id: b\n"  # 5
        "  answer: only an answer\n"  # 6
        "- just a string\n"  # 7
        "- id: c\n"  # 8
        "  question: Q\n"  # 9
        "  answer: A\n"  # 10
        "  tags: not-a-list\n"  # 11
        "- id: d\n"  # 12
        "  question: Q\n"  # 13
        "  answer: A\n"  # 14
        "- id: d\n"  # 15
        "  question: Q2\n"  # 16
        "  answer: A2\n"  # 17
    )
    name = str(path)
    assert errors_of(path) == [
        f"{name}:3: 'answer' must be a non-empty string",
        f"{name}:4: unknown key 'colour'; allowed: id, question, answer, alternates, tags, links",
        f"{name}:5: missing 'question'",
        f"{name}:7: expected an entry (a mapping with id, question, answer)",
        f"{name}:11: 'tags' must be a list of strings",
        f"{name}:15: duplicate id 'd' (first at {name}:12)",
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"id: a\nquestion: q\n", ":1: expected a list of entries"),
        (b"", ":1: the file is empty; expected a list of entries"),
        (b"- id: a\n  question: [unclosed\n", ":3: invalid YAML"),
        (b"- id: a\n  question: caf\xe9\n  answer: x\n", ":2: not valid UTF-8 (byte 0xe9)"),
        (b"- id: has space\n  question: q\n  answer: a\n", ":1: id 'has space' must be"),
    ],
)
def test_a_broken_file_gets_one_clear_error(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "faq.yaml"
    path.write_bytes(content)
    [error] = errors_of(path)
    assert error.startswith(str(path)) and expected in error


def test_markdown_headings_are_questions_and_bodies_answers(tmp_path: Path) -> None:
    path = tmp_path / "faq.md"
    path.write_text(
        "# Our FAQ\n\nIntro text.\n\n## How do I pay?\nBy card.\n\nOr by transfer.\n\n"
        "## Où est la facture ?\nDans Paramètres.\n\n## Empty one\n\n"
    )
    assert errors_of(path) == [f"{path}:13: question 'Empty one' has no answer below it"]
    path.write_text(
        "## How do I pay?\nBy card.\n\nOr by transfer.\n## Où est la facture ?\nDans Paramètres.\n"
    )
    first, second = load_faq(path)
    assert (first.id, first.answer) == ("how-do-i-pay", "By card.\n\nOr by transfer.")
    assert (second.id, second.line) == ("ou-est-la-facture", 5)


def test_csv_rows_with_optional_id_and_tags(tmp_path: Path) -> None:
    path = tmp_path / "faq.csv"
    path.write_text(
        'question,answer,id,tags\n"How, exactly?",Like this.,how,a;b\nWhy?,Because.,,\n'
    )
    first, second = load_faq(path)
    assert (first.id, first.question, first.tags) == ("how", "How, exactly?", ("a", "b"))
    assert second.id == "why" and second.line == 3
    path.write_text("question,answer,colour\nq,a,red\n")
    assert errors_of(path) == [
        f"{path}:1: unknown column 'colour'; allowed: answer, id, question, tags"
    ]
    path.write_text("question,answer\nq,a,extra\n,empty question\n")
    assert errors_of(path) == [
        f"{path}:2: expected 2 fields, got 3",
        f"{path}:3: 'question' is empty",
    ]


def test_a_folder_reads_every_format_but_not_golden_or_pending(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("- id: a\n  question: A?\n  answer: A.\n")
    (tmp_path / "b.md").write_text("## B?\nB.\n")
    (tmp_path / "c.csv").write_text("question,answer\nC?,C.\n")
    (tmp_path / "golden.yaml").write_text("- question: A?\n  expected: a\n")
    (tmp_path / "pending").mkdir()
    (tmp_path / "pending" / "draft.yaml").write_text("- id: draft\n  question: D?\n  answer: D.\n")
    (tmp_path / "notes.txt").write_text("not a FAQ")
    assert sorted(e.id for e in load_faq(tmp_path)) == ["a", "b", "c"]


def test_duplicate_ids_across_files_name_both_places(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("- id: same\n  question: A?\n  answer: A.\n")
    (tmp_path / "b.yaml").write_text(
        "- id: other\n  question: O?\n  answer: O.\n- id: same\n  question: B?\n  answer: B.\n"
    )
    assert errors_of(tmp_path) == [
        f"{tmp_path / 'b.yaml'}:4: duplicate id 'same' (first at {tmp_path / 'a.yaml'}:1)"
    ]


def test_a_missing_path_or_an_empty_folder_is_an_error(tmp_path: Path) -> None:
    assert errors_of(tmp_path / "nope.yaml") == [
        f"{tmp_path / 'nope.yaml'}:0: no such file or folder"
    ]
    assert errors_of(tmp_path) == [f"{tmp_path}:0: no FAQ entries found"]


def test_a_new_index_is_installed_whole_and_the_diff_names_what_changed(tmp_path: Path) -> None:
    path = tmp_path / "faq.yaml"
    path.write_text(
        "- id: a\n  question: Apples?\n  answer: Red.\n"
        "- id: b\n  question: Bananas?\n  answer: Yellow.\n"
    )
    repo = FaqRepository(path)
    live = repo.index
    path.write_text(
        "- id: a\n  question: Apples?\n  answer: Green.\n"
        "- id: c\n  question: Cherries?\n  answer: Dark.\n"
    )
    new = FaqIndex(load_faq(path))
    changes = Changes.between(live, new)
    assert (changes.added, changes.removed, changes.changed) == (("c",), ("b",), ("a",))
    repo.install(new, content_version(new.entries))
    assert repo.index.search("cherries")[0].entry.id == "c"
    assert repo.version == content_version(load_faq(path)) != content_version(live.entries)
    # The old index object never changed: a question in flight keeps a consistent FAQ.
    assert live.by_id["a"].answer == "Red."


def test_a_faq_read_again_unchanged_shares_its_index_and_a_changed_one_gets_its_own(
    tmp_path: Path,
) -> None:
    path = tmp_path / "faq.yaml"
    path.write_text("- id: a\n  question: Apples?\n  answer: Red.\n")
    first = FaqRepository(path).index
    assert FaqRepository(path).index is first
    # The same entry read from another place: the index hands out where it came from.
    moved = tmp_path / "moved.yaml"
    moved.write_text("\n- id: a\n  question: Apples?\n  answer: Red.\n")
    assert FaqRepository(moved).index.entries[0].line == 2
    path.write_text("- id: a\n  question: Apples?\n  answer: Green.\n")
    changed = FaqRepository(path).index
    assert changed is not first and changed.entries[0].answer == "Green."
    # A large FAQ is built each time: keeping one would hold hundreds of MB past its use.
    many = [FaqEntry(f"e{n}", f"Question {n}?", "Answer.") for n in range(5_001)]
    assert index_of(many, ()) is not index_of(many, ())


def test_an_exported_faq_loads_back_to_the_same_entries(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("## Où est le bureau ?\n\nÀ Lyon.\n\n- 2nd floor\n- ask: reception\n")
    entries = load_faq(BUNDLED_FAQ) + load_faq(notes)
    assert "\n- 2nd floor" in entries[-1].answer  # multi-line answers become `|` blocks
    exported = tmp_path / "faq.yaml"
    exported.write_text(to_yaml(entries))
    assert load_faq(exported) == entries
    assert from_records(to_records(entries), "stored") == entries


def test_a_corrupt_record_is_refused_entry_by_entry() -> None:
    records = [
        {"id": "a", "question": "Q?", "answer": "A."},
        {"id": "bad id!", "question": "Q?", "answer": "A."},
        {"id": "c", "question": "", "answer": "A."},
        {"id": "d", "question": "Q?", "answer": "A.", "tags": "not-a-list"},
        "nonsense",
        {"id": "a", "question": "Q2?", "answer": "B."},
    ]
    with pytest.raises(FaqLoadError) as caught:
        from_records(records, "stored")
    assert [str(e) for e in caught.value.errors] == [
        "stored:2: id 'bad id!' must be letters, digits, '.', '_' or '-'",
        "stored:3: 'question' must be a non-empty string",
        "stored:4: 'tags' must be a list of non-empty strings",
        "stored:5: expected an entry (a mapping with id, question, answer)",
        "stored:6: duplicate id 'a' (first at stored:1)",
    ]


_yaml_text = st.text(
    alphabet=st.sampled_from(list("- :\n\t'\"[]{}#&*!|>%@`,?abcxyz019é")), max_size=300
)


@settings(
    max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(
    data=st.one_of(_yaml_text.map(str.encode), st.binary(max_size=200)),
    suffix=st.sampled_from([".yaml", ".md", ".csv"]),
)
def test_any_malformed_file_gives_entries_or_located_errors_never_a_crash(
    tmp_path: Path, data: bytes, suffix: str
) -> None:
    path = tmp_path / f"faq{suffix}"
    path.write_bytes(data)
    try:
        entries = load_faq(path)
    except FaqLoadError as exc:
        assert exc.errors
        for error in exc.errors:
            assert error.path == str(path) and error.line >= 0 and error.message
    else:
        assert entries and all(e.id and e.question and e.answer for e in entries)


def laughs(levels: int = 12) -> str:
    """A "billion laughs": each level lists the one below nine times, so a few hundred bytes
    expand into 9**11 strings for a loader that follows aliases."""
    lines = ["- id: lol", "  question: Why?", "  answer: Because.", "  tags: &l0 [lol, lol]"]
    lines += [f"- &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]" for n in range(1, levels)]
    return "\n".join(lines) + "\n"


ALIASES = (
    "YAML anchors and aliases (&name, *name) are not allowed in a FAQ; write the text out in full"
)


def test_a_billion_laughs_is_refused_at_its_first_anchor_before_it_expands(
    tmp_path: Path,
) -> None:
    path = tmp_path / "faq.yaml"
    path.write_text(laughs())
    assert errors_of(path) == [f"{path}:4: {ALIASES}"]
    # An alias alone, even one naming no anchor, is refused as clearly.
    path.write_text("- id: a\n  question: Q?\n  answer: A.\n  tags: [ok, *nowhere]\n")
    assert errors_of(path) == [f"{path}:4: {ALIASES}"]


@pytest.mark.parametrize("nesting", ["[" * 50_000 + "]" * 50_000, "- " * 5_000 + "x"])
def test_a_file_nested_thousands_deep_gets_its_line_not_a_crash(
    tmp_path: Path, nesting: str
) -> None:
    path = tmp_path / "faq.yaml"
    path.write_text(f"- id: a\n  question: Q?\n  answer: A.\n  tags:\n    - {nesting}\n")
    [error] = errors_of(path)
    assert error == (
        f"{path}:5: nested deeper than 10 levels; an entry's values are strings or lists of strings"
    )


def test_a_key_that_is_not_a_word_is_named_by_its_line_not_printed(tmp_path: Path) -> None:
    path = tmp_path / "faq.yaml"
    path.write_text("- id: a\n  question: Q?\n  answer: A.\n  ? [" + "x, " * 10_000 + "x]\n  : y\n")
    assert errors_of(path) == [
        f"{path}:4: a key must be one word; allowed: id, question, answer, alternates, tags, links"
    ]


def test_texts_and_lists_longer_than_an_entry_needs_are_refused_with_the_entry_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "faq.yaml"
    long_link = "https://example.com/" + "a" * 2_000
    path.write_text(
        "- id: fine\n  question: Q?\n  answer: " + "a" * 20_000 + "\n"  # 1-3: at the limit
        "- id: long\n  question: " + "q" * 2_001 + "\n  answer: " + "a" * 20_001 + "\n"
        f"  links: [{long_link}]\n"  # 4-7
        "- id: many\n  question: Q?\n  answer: A.\n  tags: [" + "t, " * 200 + "t]\n"  # 8-11
    )
    assert errors_of(path) == [
        f"{path}:4: 'question' is 2,001 characters long; at most 2,000 are allowed",
        f"{path}:4: 'answer' is 20,001 characters long; at most 20,000 are allowed",
        f"{path}:4: an item of 'links' is 2,020 characters long; at most 2,000 are allowed",
        f"{path}:8: 'tags' has 201 items; at most 200 are allowed",
    ]
    markdown = tmp_path / "faq.md"
    markdown.write_text("## Fine?\nYes.\n\n## Long?\n" + "word " * 5_000 + "\n")
    assert errors_of(markdown) == [
        f"{markdown}:4: 'answer' is 24,999 characters long; at most 20,000 are allowed"
    ]


def test_a_faq_of_more_than_100000_entries_is_refused_at_the_first_one_too_many(
    tmp_path: Path,
) -> None:
    path = tmp_path / "faq.csv"
    rows = "".join(f"Question {n}?,Answer {n}.,e{n}\n" for n in range(100_001))
    path.write_text("question,answer,id\n" + rows)
    assert errors_of(path) == [f"{path}:100002: more than 100,000 entries in the FAQ"]


def test_a_file_larger_than_20_mb_is_refused_without_being_read(tmp_path: Path) -> None:
    path = tmp_path / "faq.yaml"
    with path.open("wb") as handle:
        handle.truncate(20_000_001)  # sparse: nothing is written, the size is what counts
    assert errors_of(path) == [
        f"{path}:0: larger than 20,000,000 bytes; split it into several files"
    ]


def test_golden_and_eval_files_are_bounded_like_a_faq(tmp_path: Path) -> None:
    golden = tmp_path / "golden.yaml"
    golden.write_text(laughs())
    with pytest.raises(FaqLoadError) as caught:
        load_cases(golden)
    assert [str(e) for e in caught.value.errors] == [f"{golden}:4: {ALIASES}"]
    dataset = tmp_path / "cases.jsonl"
    dataset.write_text('{"question": "Q?", "expected": "a"}\n' + "[" * 100_000 + "]" * 100_000)
    with pytest.raises(FaqLoadError) as caught:
        load_cases(dataset)
    assert [str(e) for e in caught.value.errors] == [
        f"{dataset}:2: invalid JSON: nested too deeply"
    ]
