"""The /admin dashboard over plain HTTP: who gets in, and that every page shows what the shared
stores hold and every action goes through the core (the browser tests drive the main stories)."""

from __future__ import annotations

import html
import re
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from aiohttp import web

from bot.core.channels import CollectingOutputChannel
from bot.core.models import ConversationKey, TicketStatus
from bot.dashboard.auth import COOKIE, LOGIN_ATTEMPTS_PER_MINUTE, Sessions
from bot.runtime.app import App
from bot.runtime.server import build_web_app
from bot.runtime.settings import SettingsError, load_settings
from tests.conftest import MakeApp, llm_app
from tests.people import Customer
from tests.standins.anthropic_api import AnthropicStandIn
from tests.test_conversation import RecordingDesk
from tests.test_serve import get, start_serve
from tests.test_versions import FAQ, GOLDEN, NEW_ENTRY

TOKEN = "correct-horse-battery-staple"
UNANSWERABLE = "Who won the football world cup in 1998?"


@dataclass
class Admin:
    """Someone at the dashboard with a plain HTTP client (cookies kept, redirects not followed)."""

    app: App
    base: str
    http: aiohttp.ClientSession

    async def get(self, path: str) -> tuple[int, str]:
        async with self.http.get(self.base + path, allow_redirects=False) as response:
            return response.status, await response.text()

    async def sign_in(self, token: str = TOKEN, name: str = "Dana") -> int:
        form = {"token": token, "name": name, "next": "/admin"}
        async with self.http.post(
            self.base + "/admin/login", data=form, allow_redirects=False
        ) as response:
            return response.status

    async def csrf(self) -> str:
        _, page = await self.get("/admin/privacy")
        found = re.search(r'name="csrf" value="([^"]+)"', page)
        assert found, page
        return found[1]

    async def post(self, path: str, csrf: str | None = None, **form: str) -> tuple[int, str]:
        data = {"csrf": await self.csrf() if csrf is None else csrf, **form}
        async with self.http.post(self.base + path, data=data) as response:
            return response.status, await response.text()

    async def check_upload(self, content: str) -> tuple[int, str]:
        """Upload a FAQ file on Knowledge: the first step, which checks it."""
        data = aiohttp.FormData()
        data.add_field("csrf", await self.csrf())
        data.add_field("file", content.encode(), filename="faq.yaml")
        async with self.http.post(self.base + "/admin/knowledge/check", data=data) as response:
            return response.status, await response.text()


Dashboard = Callable[..., Awaitable[Admin]]


def faq_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "faq"
    folder.mkdir()
    (folder / "faq.yaml").write_text(FAQ)
    (folder / "golden.yaml").write_text(GOLDEN)
    return folder


@pytest.fixture
async def dashboard(make_app: MakeApp, tmp_path: Path) -> AsyncIterator[Dashboard]:
    runners: list[web.AppRunner] = []
    sessions: list[aiohttp.ClientSession] = []

    async def make(app: App | None = None, **values: object) -> Admin:
        if app is None:
            settings = {"ADMIN_TOKEN": TOKEN, "SEMANTIC_SEARCH": "off", **values}
            app = make_app(faq_path=faq_folder(tmp_path), **settings)
            await app.start(follow=False)
        runner = web.AppRunner(build_web_app(app, []))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        runners.append(runner)
        # The cookie jar keeps cookies of an IP address only when told it may.
        http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        sessions.append(http)
        return Admin(app, f"http://127.0.0.1:{port}", http)

    yield make
    for http in sessions:
        await http.close()
    for runner in runners:
        await runner.cleanup()


async def a_ticket(app: App, text: str = UNANSWERABLE, **customer: str) -> tuple[Customer, str]:
    alice = Customer(app.engine, **customer)  # type: ignore[arg-type]
    reply = await alice.ask_for_a_person_after(text)
    assert reply.ticket is not None
    return alice, reply.ticket.id


# ---- getting in


async def test_without_admin_token_the_dashboard_is_off_and_says_how_to_turn_it_on(
    dashboard: Dashboard,
) -> None:
    admin = await dashboard(ADMIN_TOKEN=None)
    status, page = await admin.get("/admin")
    assert status == 404 and "set ADMIN_TOKEN" in page
    assert await admin.sign_in() == 404
    assert (await admin.get("/admin/tickets"))[0] == 404


async def test_admin_without_a_cookie_goes_to_the_sign_in_form_and_back_after(
    dashboard: Dashboard,
) -> None:
    admin = await dashboard()
    async with admin.http.get(admin.base + "/admin/tickets?status=all", allow_redirects=False) as r:
        assert r.status == 303
        location = urlsplit(r.headers["Location"])
        assert location.path == "/admin/login"
        assert parse_qs(location.query) == {"next": ["/admin/tickets?status=all"]}
    status, form = await admin.get("/admin/login?next=/admin/tickets")
    assert status == 200 and 'name="token"' in form and 'type="password"' in form

    async with admin.http.post(
        admin.base + "/admin/login",
        data={"token": TOKEN, "name": "Dana", "next": "/admin/tickets"},
        allow_redirects=False,
    ) as response:
        assert response.status == 303 and response.headers["Location"] == "/admin/tickets"
        cookie = response.headers["Set-Cookie"]
    # A destination that would break the redirect's headers is replaced by the dashboard's.
    async with admin.http.post(
        admin.base + "/admin/login",
        data={"token": TOKEN, "name": "Dana", "next": "/admin\r\nRefresh: 0"},
        allow_redirects=False,
    ) as response:
        assert response.status == 303 and response.headers["Location"] == "/admin"
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/admin" in cookie
    status, page = await admin.get("/admin")
    assert status == 200 and "Sign out (Dana)" in page
    # No script at all, and nothing but this server's stylesheet.
    async with admin.http.get(admin.base + "/admin") as response:
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert "<script" not in page


async def test_a_wrong_token_is_refused_and_repeated_tries_are_slowed_down(
    dashboard: Dashboard,
) -> None:
    admin = await dashboard()
    async with admin.http.post(
        admin.base + "/admin/login", data={"token": "not-the-token-at-all", "next": "/admin/gaps"}
    ) as response:
        assert response.status == 401
        page = await response.text()
    assert "That token is not the admin token." in page
    assert 'name="next" value="/admin/gaps"' in page  # the retry still goes where it was asked
    assert (await admin.get("/admin"))[0] == 303
    for _ in range(LOGIN_ATTEMPTS_PER_MINUTE - 1):
        await admin.sign_in("still-not-the-token")
    # Over the limit, even the right token waits for the next minute.
    assert await admin.sign_in() == 429
    assert (await admin.get("/admin"))[0] == 303


async def test_a_forged_or_expired_session_cookie_is_refused(dashboard: Dashboard) -> None:
    admin = await dashboard()
    old = Sessions(TOKEN, clock=lambda: 1_000_000.0).issue("Dana")  # expired long ago
    other = Sessions("some-other-token-entirely").issue("Mallory")
    _, label, signature = old.split(".")
    extended = f"9999999999.{label}.{signature}"
    for cookie in (old, other, extended, "garbage"):
        admin.http.cookie_jar.update_cookies({COOKIE: cookie})
        assert (await admin.get("/admin"))[0] == 303
    # Any text a browser may send is refused, never a server error.
    assert Sessions(TOKEN).verify(f"9999999999.{label}.\u00e9t\u00e9") is None


async def test_an_action_without_the_cookie_or_with_a_wrong_csrf_token_changes_nothing(
    dashboard: Dashboard,
) -> None:
    admin = await dashboard()
    _, ticket_id = await a_ticket(admin.app)
    # Signed out: refused outright.
    status, page = await admin.post(f"/admin/tickets/{ticket_id}/resolve", csrf="x")
    assert status == 401 and "not signed in" in page
    await admin.sign_in()
    status, page = await admin.post(f"/admin/tickets/{ticket_id}/resolve", csrf="forged")
    assert status == 403 and "CSRF" in page
    status, _ = await admin.post(f"/admin/tickets/{ticket_id}/resolve", csrf="")
    assert status == 403
    assert (await admin.app.tickets.get(ticket_id)).status is TicketStatus.OPEN


def test_a_short_admin_token_is_a_readable_settings_error() -> None:
    with pytest.raises(SettingsError, match=r"ADMIN_TOKEN: .*at least 16 characters"):
        load_settings(_env_file=None, ADMIN_TOKEN="short")


# ---- tickets


async def test_the_queue_lists_what_the_cli_lists_with_filters_and_escaped_transcripts(
    dashboard: Dashboard,
) -> None:
    admin = await dashboard()
    _, first = await a_ticket(admin.app, "<script>alert('pwned')</script> is my sync broken?")
    discord = ConversationKey("discord", "G1", "C9")
    _, second = await a_ticket(admin.app, UNANSWERABLE, key=discord, user_id="U-bob")
    await admin.app.engine.resolve(second, "Bob")
    await admin.sign_in()

    _, waiting = await admin.get("/admin/tickets")
    assert f">{first}</a>" in waiting and f">{second}</a>" not in waiting
    _, resolved = await admin.get("/admin/tickets?status=resolved")
    assert f">{second}</a>" in resolved and f">{first}</a>" not in resolved
    _, on_discord = await admin.get("/admin/tickets?status=all&platform=discord")
    assert f">{second}</a>" in on_discord and f">{first}</a>" not in on_discord

    status, page = await admin.get(f"/admin/tickets/{first}")
    assert status == 200
    assert "<script>" not in page
    assert html.escape("<script>alert('pwned')</script> is my sync broken?") in page
    assert "Claim as Dana" in page and 'name="text"' in page
    assert (await admin.get("/admin/tickets/T-999"))[0] == 404


async def test_claim_reply_and_resolve_from_the_page_reach_the_customer_and_the_desk(
    dashboard: Dashboard, make_app: MakeApp, tmp_path: Path
) -> None:
    app = make_app(faq_path=faq_folder(tmp_path), ADMIN_TOKEN=TOKEN, SEMANTIC_SEARCH="off")
    customer_side = CollectingOutputChannel("terminal")
    app.engine.register_channel(customer_side)
    desk = RecordingDesk()
    app.engine.set_desk(desk)
    admin = await dashboard(app)
    alice, ticket_id = await a_ticket(app)
    await admin.sign_in(name="Dana")

    status, page = await admin.post(f"/admin/tickets/{ticket_id}/claim")
    assert status == 200 and "You claimed the ticket." in page
    assert (await app.tickets.get(ticket_id)).claimed_by == "Dana"
    status, page = await admin.post(
        f"/admin/tickets/{ticket_id}/reply", text="Hi Alice, @everyone: I have reset it."
    )
    assert status == 200 and "Your reply was sent to the customer." in page
    key, said = customer_side.sent[-1]
    assert key == alice.key
    assert said.text.startswith("Dana: Hi Alice,") and "@everyone" not in said.text
    assert any("Dana: Hi Alice" in note for _, note in desk.notes)
    ticket = await app.tickets.get(ticket_id)
    assert ticket.transcript[-1] == ("agent", "Hi Alice, @everyone: I have reset it.")

    status, page = await admin.post(f"/admin/tickets/{ticket_id}/resolve")
    assert status == 200 and "The ticket is resolved" in page
    assert "resolved" in customer_side.sent[-1][1].text
    # Acting on a resolved ticket is refused with the core's reason.
    status, page = await admin.post(f"/admin/tickets/{ticket_id}/reply", text="one more thing")
    assert status == 409 and f"{ticket_id} is resolved" in page


# ---- overview


async def test_the_overview_counts_each_day_and_the_llm_cost_per_channel(
    dashboard: Dashboard, make_app: MakeApp, claude: AnthropicStandIn, tmp_path: Path
) -> None:
    app = llm_app(
        make_app,
        claude,
        ADMIN_TOKEN=TOKEN,
        SEMANTIC_SEARCH="off",
        ANTHROPIC_MODEL="my-model",
        LLM_PRICES={"my-model": {"input": 1000, "output": 0, "cache_write": 0, "cache_read": 0}},
    )
    admin = await dashboard(app)
    slack = Customer(app.engine, key=ConversationKey("slack", "T1", "C1"))
    answer = await slack.say("how do I reset my password")
    await slack.press(answer, "helpful")
    on_discord = Customer(app.engine, key=ConversationKey("discord", "G7", "C2"))
    assert (await on_discord.say("I want to talk to a human")).ticket is not None

    today = (await app.store.days(1, time.time()))[0][1]
    assert today["answered"] == 1 and today["escalated"] == 1 and today["feedback_helpful"] == 1
    cost = (await app.store.usage(slack.key))["cost_usd"]
    assert cost > 0 and today["cost_usd@slack:T1:C1"] == pytest.approx(cost)
    await admin.sign_in()
    status, page = await admin.get("/admin")
    assert status == 200
    assert 'Deflection: answered without a person</td><td class="num">1 (50%)' in page
    assert page.count("<svg") == 6 and "slack:T1:C1" in page
    status, month = await admin.get("/admin?days=30")
    assert status == 200 and "The last 30 days" in month


# ---- knowledge


async def test_try_a_question_shows_the_answer_and_the_entries_found_without_a_ticket(
    dashboard: Dashboard,
) -> None:
    admin = await dashboard()
    await admin.sign_in()
    status, page = await admin.get("/admin/knowledge?q=I+forgot+my+password")
    assert status == 200
    assert "Decision: <strong>answer</strong>" in page
    assert "Use the Forgot password link on the sign-in page." in page
    assert "<td>reset-password</td>" in page
    status, page = await admin.get(f"/admin/knowledge?q={UNANSWERABLE}")
    assert "Decision: <strong>escalate</strong>" in page
    assert await admin.app.tickets.list(include_resolved=True) == []
    assert await admin.app.store.counters() == {}


async def test_an_upload_is_checked_first_then_published_and_its_diff_shown(
    dashboard: Dashboard,
) -> None:
    admin = await dashboard()
    await admin.sign_in()
    live = admin.app.faq.version
    status, page = await admin.check_upload(FAQ + NEW_ENTRY)
    assert status == 200 and "Check passed" in page and "Added (1)" in page and "parking" in page
    assert "Golden questions routed right:" in page and "with this file" in page
    assert admin.app.faq.version == live  # checked, not published
    upload = re.search(r'name="upload" value="([^"]+)"', page)
    assert upload
    status, page = await admin.post("/admin/knowledge/publish", upload=upload[1])
    assert status == 200 and "FAQ reloaded" in page
    new = admin.app.faq.version
    assert new != live and await admin.app.publisher.versions.live_id() == new

    _, knowledge = await admin.get("/admin/knowledge")
    assert f"{new}</a> <strong>(live)</strong>" in knowledge and "+1 -0 ~0" in knowledge
    status, diff = await admin.get(f"/admin/knowledge/versions/{new}")
    assert status == 200 and "parking (added)" in diff and "Yes, behind the building." in diff
    # The upload was used up: publishing it again asks for a new check.
    assert (await admin.post("/admin/knowledge/publish", upload=upload[1]))[0] == 410


async def test_a_version_whose_predecessor_was_pruned_still_names_its_changes(
    dashboard: Dashboard, tmp_path: Path
) -> None:
    admin = await dashboard(FAQ_VERSIONS_KEEP=2)
    folder = tmp_path / "faq"
    (folder / "faq.yaml").write_text(FAQ + NEW_ENTRY)
    assert (await admin.app.publisher.reload("ops")).ok
    second = admin.app.faq.version
    (folder / "faq.yaml").write_text(FAQ + NEW_ENTRY.replace("behind", "under"))
    assert (await admin.app.publisher.reload("ops")).ok  # the first version is pruned
    await admin.sign_in()
    status, page = await admin.get(f"/admin/knowledge/versions/{second}")
    assert status == 200
    assert "no longer stored" in page and "added parking, removed none, changed none" in page
    status, page = await admin.get(f"/admin/knowledge/versions/{admin.app.faq.version}")
    assert "parking (changed)" in page and "under the building" in page
    assert (await admin.get("/admin/knowledge/versions/ffffffffffff"))[0] == 404


async def test_a_broken_upload_or_one_that_breaks_golden_questions_is_not_published(
    dashboard: Dashboard,
) -> None:
    admin = await dashboard()
    await admin.sign_in()
    live = admin.app.faq.version
    status, page = await admin.check_upload("- id: x\n  question: only a question\n")
    assert status == 409 and "refused" in page and "faq.yaml:" in page
    worse = FAQ.replace("Where is your office?", "Do you sell gift cards?").replace(
        "Our office is in Lyon", "Gift cards are sold in the app"
    )
    status, page = await admin.check_upload(worse)
    assert status == 200 and "Check failed" in page and "Where is your office, please?" in page
    assert "Publish anyway (skip the check)" in page and "Publish this version" not in page
    assert admin.app.faq.version == live


async def test_gaps_become_drafts_on_the_page_and_drafts_are_approved_or_dropped(
    dashboard: Dashboard,
) -> None:
    admin = await dashboard()
    await Customer(admin.app.engine).miss("Do you have a parking lot for visitors?")
    await admin.sign_in()
    _, gaps = await admin.get("/admin/gaps")
    assert "Do you have a parking lot for visitors?" in gaps
    link = re.search(r'href="(/admin/gaps/draft\?[^"]+)"', gaps)
    assert link
    _, form = await admin.get(html.unescape(link[1]))
    assert 'value="Do you have a parking lot for visitors?"' in form
    status, page = await admin.post(
        "/admin/drafts/new",
        question="Do you have a parking lot for visitors?",
        answer="Yes, behind the building.",
    )
    assert status == 200 and "D-1 saved" in page
    _, listed = await admin.get("/admin/gaps")
    assert "From a FAQ gap by Dana" in listed and "Yes, behind the building." in listed
    status, page = await admin.post("/admin/drafts/D-1/approve")
    assert status == 200 and "D-1 is approved" in page
    assert [e.question for e in await admin.app.drafts.approved_entries()] == [
        "Do you have a parking lot for visitors?"
    ]
    status, page = await admin.post("/admin/drafts/D-1/drop")
    assert "D-1 is dropped" in page
    status, page = await admin.post("/admin/drafts/D-1/drop")
    assert status == 409 and "already dropped" in page


# ---- privacy


async def test_erasing_a_person_shows_what_was_removed(dashboard: Dashboard) -> None:
    admin = await dashboard()
    key = ConversationKey("slack", "T1", "D1")
    _, ticket_id = await a_ticket(admin.app, key=key, user_id="U-carol")
    await admin.sign_in()
    status, page = await admin.post("/admin/privacy/erase", platform="slack", user="U-carol")
    assert status == 200
    assert f"1 conversation(s), 1 ticket(s) ({ticket_id})" in page
    assert await admin.app.tickets.list(include_resolved=True) == []
    _, again = await admin.post("/admin/privacy/erase", platform="", user="U-carol")
    assert "Nothing stored for U-carol." in again


def test_faqbot_serve_serves_the_sign_in_form_once_admin_token_is_set(
    tmp_path: Path, redis_url: str, prefix: str
) -> None:
    settings = {"REDIS_URL": redis_url, "REDIS_PREFIX": prefix, "SEMANTIC_SEARCH": "off"}
    process, base = start_serve(tmp_path, ADMIN_TOKEN=TOKEN, **settings)
    try:
        status, page = get(f"{base}/admin")  # redirected to the form
        assert status == 200 and 'action="/admin/login"' in page and 'name="token"' in page
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0 and "Traceback" not in output
