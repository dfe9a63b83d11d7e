"""FAQ versions shared through Redis: replicas follow a reload, late starters load the live
version, rollbacks, the golden regression check, and reloads from a URL."""

from __future__ import annotations

import asyncio
import json
import shutil
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path

import pytest
from aiohttp import web
from redis.asyncio import Redis

from bot.admin.commands import format_publish
from bot.core.models import Attachment, ConversationKey, IncomingMessage, MessageKind
from bot.knowledge.publishing import FaqPublisher
from bot.knowledge.sources import FaqSources, SourceError, address_allowed
from bot.runtime.app import App
from bot.runtime.settings import SettingsError, load_settings
from faq.index import FaqIndex
from faq.models import FaqEntry
from faq.repository import FaqRepository
from faq.semantic import Encoder, Vectors
from tests.conftest import MakeApp
from tests.standins.loopback import serve_on_loopback

FAQ = (
    "- id: reset-password\n  question: How do I reset my password?\n"
    "  answer: Use the Forgot password link on the sign-in page.\n"
    "- id: office\n  question: Where is your office?\n  answer: Our office is in Lyon.\n"
    "- id: refunds\n  question: Can I get a refund?\n  answer: Refunds within 30 days.\n"
)
GOLDEN = (
    "- question: I forgot my password, how do I reset it?\n  expected: reset-password\n"
    "- question: Where is your office, please?\n  expected: office\n"
    "- question: can I have a refund please\n  expected: refunds\n"
    "- question: Who won the football world cup in 1998?\n  expected: escalate\n"
)
# The office entry rewritten about something else, so that the golden question about the office
# no longer finds it (a mere rewording, "headquarters", is found by semantic search).
WORSE_FAQ = FAQ.replace("Where is your office?", "Do you sell gift cards?").replace(
    "Our office is in Lyon", "Gift cards are sold in the app"
)
NEW_ENTRY = "- id: parking\n  question: Is there parking?\n  answer: Yes, behind the building.\n"


def command(text: str, user: str = "UADMIN", **fields: object) -> IncomingMessage:
    return IncomingMessage(
        key=ConversationKey("slack", "W", "C1"),
        message_id="",
        user_id=user,
        user_name="ana",
        text=text,
        kind=MessageKind.COMMAND,
        **fields,  # type: ignore[arg-type]
    )


def question(text: str) -> IncomingMessage:
    return IncomingMessage(
        key=ConversationKey("cli", "local", text[:20]),
        message_id="",
        user_id="U",
        text=text,
        is_direct=True,
    )


def attached(name: str, data: bytes, size: int | None = None) -> Attachment:
    """A chat attachment; `size` is what the platform reports, when it under-reports."""

    async def fetch(limit: int) -> bytes:
        return data[: limit + 1]

    return Attachment(name, len(data) if size is None else size, fetch)


async def eventually(predicate: Callable[[], bool], what: str) -> None:
    """Wait, bounded, for something another process does (a pub/sub delivery)."""

    async def poll() -> None:
        while not predicate():  # noqa: ASYNC110 - the change happens in another task
            await asyncio.sleep(0.01)

    try:
        await asyncio.wait_for(poll(), 10)
    except TimeoutError:
        pytest.fail(f"never happened: {what}")


@pytest.fixture
def faq_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "faq"
    folder.mkdir()
    (folder / "faq.yaml").write_text(FAQ)
    return folder


async def started(make_app: MakeApp, faq_path: Path, **settings: object) -> App:
    app = make_app(faq_path, SLACK_ADMIN_USER_IDS="UADMIN", **settings)
    await app.start()
    return app


async def test_a_reload_on_one_replica_is_served_by_the_other_and_by_one_started_later(
    make_app: MakeApp, faq_dir: Path, tmp_path: Path
) -> None:
    old_copy = tmp_path / "old.yaml"
    shutil.copy(faq_dir / "faq.yaml", old_copy)
    a = await started(make_app, faq_dir)
    b = await started(make_app, faq_dir)
    assert a.faq.version == b.faq.version
    (faq_dir / "faq.yaml").write_text(FAQ + NEW_ENTRY)

    reply = await a.engine.handle(command("reload"))

    assert "FAQ reloaded" in reply.text and "Added (1): parking" in reply.text, reply.text
    await eventually(lambda: b.faq.version == a.faq.version, "replica B swaps to the new version")
    answer = await b.engine.handle(question("Is there any parking?"))
    assert answer.source_ids == ["parking"]
    # A process started later serves the live version, not the old file its FAQ_PATH names.
    late = await started(make_app, old_copy)
    assert late.faq.version == a.faq.version and "parking" in late.faq.index.by_id


async def test_rollback_returns_every_replica_to_the_previous_version(
    make_app: MakeApp, faq_dir: Path
) -> None:
    a = await started(make_app, faq_dir)
    b = await started(make_app, faq_dir)
    first = a.faq.version
    (faq_dir / "faq.yaml").write_text(FAQ + NEW_ENTRY)
    assert "FAQ reloaded" in (await a.engine.handle(command("reload"))).text
    await eventually(lambda: b.faq.version == a.faq.version, "B on the new version")

    reply = await b.engine.handle(command("rollback"))

    assert (
        f"FAQ rolled back: version {first}" in reply.text and "Removed (1): parking" in reply.text
    )
    await eventually(lambda: a.faq.version == first, "A back on the first version")
    versions = (await a.engine.handle(command("versions"))).text.splitlines()
    assert versions[1].startswith(f"• {first} (live): rollback by slack:UADMIN")
    assert "reload by slack:UADMIN" in versions[2] and "4 entries, +1 -0 ~0" in versions[2]
    assert versions[3].startswith(f"• {first}: first by startup") and "(live)" not in versions[3]
    # A named version (a prefix is enough) goes live again too.
    newer = versions[2].split()[1].rstrip(":")
    assert "rolled back" in (await a.engine.handle(command(f"rollback {newer[:6]}"))).text
    assert a.faq.version == newer
    unknown = await a.engine.handle(command("rollback ffffffffff"))
    assert "No stored version starts with 'ffffffffff'" in unknown.text


async def test_a_reload_that_breaks_golden_questions_is_refused_unless_forced(
    make_app: MakeApp, faq_dir: Path
) -> None:
    (faq_dir / "golden.yaml").write_text(GOLDEN)
    app = await started(make_app, faq_dir)
    live = app.faq.version
    (faq_dir / "faq.yaml").write_text(WORSE_FAQ)

    refused = await app.engine.handle(command("reload"))

    assert "FAQ reload refused: the golden questions" in refused.text, refused.text
    assert f"version {live} stays live" in refused.text
    assert "'Where is your office, please?': expected office, was office, now escalate" in (
        refused.text
    )
    assert app.faq.version == live and "Where is your office?" in [
        e.question for e in app.faq.index.entries
    ]
    forced = await app.engine.handle(command("reload --force"))
    assert "FAQ reloaded" in forced.text and "skipped (--force)" in forced.text
    assert app.faq.version != live


async def test_a_harmless_reload_passes_the_golden_check_and_says_so(
    make_app: MakeApp, faq_dir: Path
) -> None:
    (faq_dir / "golden.yaml").write_text(GOLDEN)
    app = await started(make_app, faq_dir)
    (faq_dir / "faq.yaml").write_text(FAQ + NEW_ENTRY)
    reply = await app.engine.handle(command("reload"))
    assert "Golden questions routed right: 100.0% before, 100.0% now." in reply.text, reply.text
    again = await app.engine.handle(command("reload"))
    assert "FAQ unchanged" in again.text


async def test_a_broken_golden_file_or_faq_refuses_the_reload_with_file_and_line(
    make_app: MakeApp, faq_dir: Path
) -> None:
    app = await started(make_app, faq_dir)
    live = app.faq.version
    (faq_dir / "faq.yaml").write_text(FAQ + "- id: x\n  question: Half an entry\n")
    reply = await app.engine.handle(command("reload"))
    assert f"{faq_dir / 'faq.yaml'}:10: missing 'answer'" in reply.text
    (faq_dir / "faq.yaml").write_text(FAQ + NEW_ENTRY)
    (faq_dir / "golden.yaml").write_text("- question: where?\n")
    reply = await app.engine.handle(command("reload"))
    assert "the golden file has errors" in reply.text
    expected = "`expected` must be an entry id, escalate, human or small_talk"
    assert f"{faq_dir / 'golden.yaml'}:1: {expected}" in reply.text
    assert app.faq.version == live


async def test_only_admins_reload_list_versions_or_roll_back(
    make_app: MakeApp, faq_dir: Path
) -> None:
    app = await started(make_app, faq_dir)
    for text in ("reload", "versions", "rollback"):
        reply = await app.engine.handle(command(text, user="USOMEONE"))
        assert "for admins only" in reply.text


async def test_a_corrupt_live_record_is_logged_and_the_loaded_faq_stays(
    make_app: MakeApp,
    faq_dir: Path,
    redis_url: str,
    prefix: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = await started(make_app, faq_dir)
    live = app.faq.version
    client = Redis.from_url(redis_url, decode_responses=True)
    records = [{"id": "a", "question": "Q?", "answer": ""}]
    await client.hset(f"{prefix}:faq:version:0123456789ab", "entries", json.dumps(records))
    await client.set(f"{prefix}:faq:live", "0123456789ab")
    await client.aclose()

    await app.publisher.sync()

    assert app.faq.version == live and len(app.faq.index) == 3
    assert "live FAQ version 0123456789ab cannot be loaded" in caplog.text
    assert "stored FAQ version 0123456789ab:1: 'answer' must be a non-empty string" in caplog.text


class Drafts:
    """Approved drafts as the draft store hands them to a reload."""

    def __init__(self, entries: list[FaqEntry]) -> None:
        self.entries = entries
        self.published: list[str] = []

    async def approved_entries(self) -> list[FaqEntry]:
        return [e for e in self.entries if e.id not in self.published]

    async def published_entries(self) -> list[FaqEntry]:
        return [e for e in self.entries if e.id in self.published]

    async def mark_published(self, ids: Sequence[str]) -> None:
        self.published.extend(ids)


class Listener:
    def __init__(self) -> None:
        self.heard: list[FaqIndex] = []

    async def faq_published(self, index: FaqIndex) -> None:
        self.heard.append(index)


async def test_approved_drafts_join_a_reload_and_listeners_hear_of_each_publication(
    make_app: MakeApp, faq_dir: Path
) -> None:
    app = await started(make_app, faq_dir)

    def publisher(drafts: Drafts, listener: Listener) -> FaqPublisher:
        return FaqPublisher(
            faq=app.faq,
            versions=app.publisher.versions,
            check=app.publisher.check,
            drafts=drafts,
            listeners=[listener],
        )

    drafts = Drafts([FaqEntry("parking", "Is there parking?", "Yes, behind the building.")])
    listener = Listener()
    report = await publisher(drafts, listener).reload("admin")
    assert report.ok and report.changes.added == ("parking",)
    assert drafts.published == ["parking"] and [len(i) for i in listener.heard] == [4]
    # A published draft stays in later versions although the FAQ files do not hold it.
    (faq_dir / "faq.yaml").write_text(FAQ.replace("30 days", "60 days"))
    report = await publisher(drafts, listener).reload("admin")
    assert report.changes.changed == ("refunds",) and "parking" in app.faq.index.by_id
    assert (await publisher(drafts, listener).rollback("admin")).ok
    assert [len(i) for i in listener.heard] == [4, 4, 4]

    clash = Drafts([FaqEntry("office", "Office?", "Elsewhere.")])
    listener = Listener()
    reply = format_publish(await publisher(clash, listener).reload("admin"))
    assert "approved drafts:1: draft 'office' has the same id as the entry at" in reply
    assert clash.published == [] and listener.heard == []


@pytest.fixture
async def faq_site(faq_dir: Path) -> AsyncIterator[str]:
    """A web server on loopback that serves FAQ files, one too big, and a redirect."""

    async def serve(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name == "moved.yaml":
            raise web.HTTPFound("https://elsewhere.example/faq.yaml")
        if name == "huge.yaml":
            return web.Response(body=b"#" * 5000)
        return web.Response(body=(FAQ + NEW_ENTRY).encode())

    app = web.Application()
    app.router.add_get("/{name}", serve)
    runner, port = await serve_on_loopback(app)
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def test_a_reload_from_a_url_is_fetched_checked_and_published(
    make_app: MakeApp, faq_dir: Path, faq_site: str
) -> None:
    app = await started(make_app, faq_dir, FAQ_URL_ALLOW_LOOPBACK=True, FAQ_UPLOAD_MAX_BYTES=1000)
    reply = await app.engine.handle(command(f"reload {faq_site}/faq.yaml"))
    assert "FAQ reloaded" in reply.text and "Added (1): parking" in reply.text
    versions = (await app.engine.handle(command("versions"))).text
    assert f"from {faq_site}/faq.yaml" in versions
    for path, why in (
        ("huge.yaml", "larger than the 1000-byte limit"),
        ("moved.yaml", "redirects to https://elsewhere.example/faq.yaml"),
        ("notes.txt", "is not a FAQ file"),
    ):
        refused = await app.engine.handle(command(f"reload {faq_site}/{path}"))
        assert why in refused.text and "The current FAQ stays live" in refused.text


async def test_urls_must_be_https_and_public_in_production(
    make_app: MakeApp, faq_dir: Path, faq_site: str
) -> None:
    app = await started(make_app, faq_dir)
    live = app.faq.version
    for url, why in (
        (f"{faq_site}/faq.yaml", "is not an https URL"),
        ("https://127.0.0.1/faq.yaml", "127.0.0.1 is not a public address"),
        ("https://10.1.2.3/faq.yaml", "10.1.2.3 is not a public address"),
        ("https://localhost/faq.yaml", "resolves only to private or local addresses"),
    ):
        refused = await app.engine.handle(command(f"reload {url}"))
        assert why in refused.text, refused.text
    assert app.faq.version == live


def test_an_upload_limit_above_what_any_faq_file_may_weigh_is_refused_at_start() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None, FAQ_UPLOAD_MAX_BYTES=20_000_001)
    assert str(caught.value) == (
        "invalid setting FAQ_UPLOAD_MAX_BYTES: Input should be less than or equal to 20000000"
    )


async def test_a_bad_attachment_is_refused_with_its_errors_and_the_live_faq_stays(
    make_app: MakeApp, faq_dir: Path
) -> None:
    app = await started(make_app, faq_dir, FAQ_UPLOAD_MAX_BYTES=1000)
    live = app.faq.version

    broken = attached("faq.yaml", b"- id: a\n  question: Q?\n")
    reply = await app.engine.handle(command("reload", attachments=(broken,)))
    assert "faq.yaml:1: missing 'answer'" in reply.text and f"{live} stays live" in reply.text
    too_big = attached("faq.yaml", b"#" * 2000, size=10)  # a platform that under-reports
    reply = await app.engine.handle(command("reload", attachments=(too_big,)))
    assert "larger than the 1000-byte limit" in reply.text
    picture = attached("photo.png", b"\x89PNG")
    reply = await app.engine.handle(command("reload", attachments=(picture,)))
    assert "'photo.png' is not a FAQ file" in reply.text
    assert app.faq.version == live
    good = attached("new.csv", b"question,answer,id\nIs there parking?,Yes.,parking\n")
    reply = await app.engine.handle(command("reload", attachments=(good,)))
    assert "FAQ reloaded" in reply.text and list(app.faq.index.by_id) == ["parking"]
    assert "from attachment new.csv" in (await app.engine.handle(command("versions"))).text


async def test_a_hostile_faq_file_is_refused_with_its_line_and_the_live_faq_stays(
    make_app: MakeApp, faq_dir: Path
) -> None:
    app = await started(make_app, faq_dir)
    live = app.faq.version
    # A billion laughs: 94 KB of these used 2.4 GB before aliases were refused.
    laughs = (
        FAQ
        + "- &l0 [lol, lol]\n"
        + "".join(f"- &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]\n" for n in range(1, 12))
    )
    deep = FAQ + "- " + "[" * 100_000 + "]" * 100_000 + "\n"
    for data, why in (
        (laughs, "faq.yaml:10: YAML anchors and aliases (&name, *name) are not allowed"),
        (deep, "faq.yaml:10: nested deeper than 10 levels"),
        (
            FAQ.replace("30 days.", "30 days." + " Really." * 3_000),
            "faq.yaml:7: 'answer' is 24,023 characters",
        ),
    ):
        reply = await app.engine.handle(
            command("reload", attachments=(attached("faq.yaml", data.encode()),))
        )
        assert why in reply.text and f"version {live} stays live" in reply.text, reply.text
    assert app.faq.version == live and len(app.faq.index) == 3


async def test_a_stored_version_nested_too_deep_to_parse_is_corrupt_and_the_faq_stays(
    make_app: MakeApp, faq_dir: Path, redis_url: str, prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    app = await started(make_app, faq_dir)
    live = app.faq.version
    client = Redis.from_url(redis_url, decode_responses=True)
    deep = "[" * 100_000
    await client.hset(f"{prefix}:faq:version:0123456789ab", mapping={"entries": deep, "info": deep})
    await client.lpush(f"{prefix}:faq:{{versions}}:history", deep)
    await client.set(f"{prefix}:faq:live", "0123456789ab")
    await client.aclose()

    await app.publisher.sync()

    assert app.faq.version == live
    assert "stored FAQ version 0123456789ab:0: corrupt record: nested too deeply" in caplog.text
    # The listing skips the unreadable publication and still shows the good one.
    versions = (await app.engine.handle(command("versions"))).text.splitlines()
    assert versions[0] == "FAQ versions, newest first:" and len(versions) == 2
    assert versions[1].startswith(f"• {live}: first by startup")


class HeldEncoder:
    """The process's encoder, holding any text that mentions `marker` (a FAQ's entry being
    indexed, a question being searched) until the test releases it: a reload as slow as the test
    needs, seen from inside."""

    def __init__(self, inner: Encoder, marker: str) -> None:
        self.inner = inner
        self.name = inner.name
        self.languages = inner.languages
        self.marker = marker
        self.holding = asyncio.Event()
        self.release = threading.Event()
        self._loop = asyncio.get_running_loop()

    def _hold(self, texts: Sequence[str]) -> None:
        if any(self.marker in text for text in texts):
            self._loop.call_soon_threadsafe(self.holding.set)
            # Bounded: held on the event loop itself, it would wait here for ever.
            if not self.release.wait(30):
                raise TimeoutError("the held encoder was never released")

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        self._hold(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> Vectors:
        self._hold([text])
        return self.inner.embed_query(text)

    def embed_vocabulary(self, words: Sequence[str]) -> Vectors:
        return self.inner.embed_vocabulary(words)

    def embed_words(self, words: Sequence[str]) -> Vectors:
        return self.inner.embed_words(words)


@pytest.mark.parametrize(
    ("stage", "marker"),
    [("the index build", "parking"), ("the golden check", "bike shed")],
)
async def test_customers_are_answered_while_a_reload_is_busy(
    make_app: MakeApp, faq_dir: Path, stage: str, marker: str
) -> None:
    (faq_dir / "golden.yaml").write_text(
        GOLDEN + "- question: Who won the bike shed race?\n  expected: escalate\n"
    )
    app = await started(make_app, faq_dir)
    first, *others = app.faq.encoders
    held = HeldEncoder(first, marker)
    # A reload in this process, held in `stage` until released.
    publisher = FaqPublisher(
        faq=FaqRepository(faq_dir, (held, *others)),
        versions=app.publisher.versions,
        check=app.publisher.check,
    )
    (faq_dir / "faq.yaml").write_text(FAQ + NEW_ENTRY)
    reload = asyncio.create_task(publisher.reload("admin"))
    await asyncio.wait_for(held.holding.wait(), 30)

    answer = await app.engine.handle(question("Where is your office?"))

    assert answer.source_ids == ["office"] and not reload.done(), stage
    held.release.set()
    report = await reload
    assert report.ok and report.changes.added == ("parking",)
    await eventually(lambda: "parking" in app.faq.index.by_id, "the reload goes live")


async def refusal(sources: FaqSources, url: str) -> str:
    """Why `sources` refuses to fetch `url` (none of these ever connect)."""
    with pytest.raises(SourceError) as caught:
        await sources.from_url(url)
    return str(caught.value)


class BrokenEncoder(HeldEncoder):
    """Fails on any FAQ that mentions `marker`, as an encoder out of memory would."""

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        if any(self.marker in text for text in texts):
            raise MemoryError
        return self.inner.embed_documents(texts)


async def test_a_reload_or_rollback_whose_index_cannot_be_built_is_refused_in_one_line(
    make_app: MakeApp, faq_dir: Path
) -> None:
    app = await started(make_app, faq_dir)
    first, *others = app.faq.encoders
    faq = FaqRepository(faq_dir, (BrokenEncoder(first, marker="parking"), *others))
    publisher = FaqPublisher(faq=faq, versions=app.publisher.versions, check=app.publisher.check)
    live = faq.version
    (faq_dir / "faq.yaml").write_text(FAQ + NEW_ENTRY)

    report = await publisher.reload("admin")

    assert format_publish(report) == (
        f"FAQ reload refused ({faq_dir}); version {live} stays live.\n"
        "The new FAQ could not be read or indexed (MemoryError); nothing changed."
    )
    assert faq.version == live and await app.publisher.versions.live_id() == live
    # Nor can it roll back to a version it cannot index.
    assert (await app.publisher.reload("admin")).ok
    newer = app.faq.version
    assert (await app.publisher.rollback("admin")).ok
    assert format_publish(await publisher.rollback("admin", newer)) == (
        f"FAQ rollback refused; version {live} stays live.\n"
        "The new FAQ could not be read or indexed (MemoryError); nothing changed."
    )
    assert faq.version == live


async def test_a_replica_that_cannot_index_the_new_version_keeps_its_faq_and_follows_on(
    make_app: MakeApp, faq_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = await started(make_app, faq_dir)
    first, *others = app.faq.encoders
    faq = FaqRepository(faq_dir, (BrokenEncoder(first, marker="parking"), *others))
    replica = FaqPublisher(faq=faq, versions=app.publisher.versions, check=app.publisher.check)
    stop = asyncio.Event()
    following = asyncio.create_task(replica.follow(stop))
    old = faq.version
    (faq_dir / "faq.yaml").write_text(FAQ + NEW_ENTRY)
    assert (await app.publisher.reload("admin")).ok
    await eventually(
        lambda: "cannot be indexed" in caplog.text, "the replica tries the new version"
    )
    assert f"live FAQ version {app.faq.version} cannot be indexed, keeping {old}" in caplog.text
    assert faq.version == old and not following.done()

    (faq_dir / "faq.yaml").write_text(FAQ.replace("30 days", "60 days"))
    assert (await app.publisher.reload("admin")).ok
    await eventually(lambda: faq.version == app.faq.version, "the replica swaps to the next one")
    stop.set()
    await following


@pytest.mark.parametrize(
    "host",
    [
        "[::ffff:127.0.0.1]",  # IPv4-mapped
        "[::ffff:7f00:1]",  # the same, in hex
        "[64:ff9b::7f00:1]",  # NAT64
        "[::ffff:0:7f00:1]",  # IPv4-translated (SIIT)
        "[::127.0.0.1]",  # IPv4-compatible
        "[2002:7f00:0001::]",  # 6to4
        "[::ffff:10.0.0.1]",
        "[64:ff9b::a9fe:a9fe]",  # the cloud metadata address, 169.254.169.254, through NAT64
        "[2002:c0a8:0101::]",  # 192.168.1.1 through 6to4
        "[64:ff9b:1::7f00:1]",  # local-use NAT64: translated to whatever the operator chose
    ],
)
async def test_ipv6_forms_of_a_private_ipv4_address_are_refused_like_it(host: str) -> None:
    why = await refusal(FaqSources(max_bytes=1000, timeout=5), f"https://{host}/faq.yaml")
    assert why.endswith("is not a public address; FAQ URLs must be public"), why


@pytest.mark.parametrize("host", ["2130706433", "0x7f.1", "0177.0.0.1", "127.1", "0x7f000001"])
async def test_loopback_written_in_decimal_octal_hex_or_short_is_refused_as_loopback(
    host: str,
) -> None:
    production = FaqSources(max_bytes=1000, timeout=5)
    assert await refusal(production, f"https://{host}/faq.yaml") == (
        "127.0.0.1 is not a public address; FAQ URLs must be public"
    )
    # Where loopback is allowed, or for a public address, the admin is asked for the usual form.
    local = FaqSources(max_bytes=1000, timeout=5, allow_loopback=True)
    assert await refusal(local, f"http://{host}/faq.yaml") == (
        f"{host} is the IPv4 address 127.0.0.1 written another way; write it as 127.0.0.1"
    )
    assert await refusal(production, "https://134744072/faq.yaml") == (
        "134744072 is the IPv4 address 8.8.8.8 written another way; write it as 8.8.8.8"
    )


def test_an_embedded_ipv4_address_decides_as_that_address_would() -> None:
    # The test suite connects to nothing but 127.0.0.1 and ::1, so the rest is judged offline.
    loopback = [
        "::ffff:127.0.0.1",
        "64:ff9b::7f00:1",
        "::ffff:0:7f00:1",
        "::127.0.0.1",
        "2002:7f00:1::",
        "::1",
    ]
    for host in loopback:
        assert not address_allowed(host, allow_loopback=False), host
        assert address_allowed(host, allow_loopback=True), host
    for host in ("::ffff:10.0.0.1", "64:ff9b::a00:1", "2002:a00:1::", "64:ff9b:1::7f00:1", "::"):
        assert not address_allowed(host, allow_loopback=True), host
    # Public addresses stay reachable whatever their form.
    for host in (
        "::ffff:8.8.8.8",
        "64:ff9b::808:808",
        "::ffff:0:808:808",
        "2002:808:808::",
        "2606:4700::1111",
    ):
        assert address_allowed(host, allow_loopback=False), host
