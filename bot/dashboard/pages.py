"""The dashboard's routes: sign-in, overview, tickets, knowledge, gaps and drafts, privacy.

Reads come from the shared stores; actions are POSTs carrying the session's CSRF token and go
through the core (`ConversationEngine.claim`, `agent_reply`, `resolve`; `FaqPublisher`;
`DraftStore`; `Privacy`), exactly as the desk, chat commands and the CLI do.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from urllib.parse import quote, urlencode

from aiohttp import web
from redis.exceptions import RedisError

from bot.admin.commands import format_publish
from bot.core.language import detect_language
from bot.core.models import ALL_PLATFORMS, ConversationKey, TicketStatus
from bot.dashboard.auth import (
    COOKIE,
    LOGIN_ATTEMPTS_PER_MINUTE,
    MAX_NAME_CHARS,
    SESSION_SECONDS,
    Session,
    Sessions,
)
from bot.dashboard.charts import bar_chart
from bot.dashboard.html import STYLE, action, csrf_field, e, page, table, when
from bot.knowledge.drafts import DraftError, DraftStatus
from bot.knowledge.publishing import PublishReport
from bot.knowledge.sources import Upload
from bot.runtime.app import App
from bot.state.limits import RateLimiter, RateLimits, Verdict
from bot.state.store import COST_FIELD, text
from bot.state.tickets import TicketError, transcript_lines
from faq.models import FaqEntry, FaqLoadError

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Guarded = Callable[[web.Request, Session], Awaitable[web.StreamResponse]]

SECURITY_HEADERS = {
    # No script at all; styles and images from this server only; forms post here only.
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
OFF = (
    "The dashboard is off. To turn it on, set ADMIN_TOKEN (at least 16 characters, e.g. from "
    "`python -c 'import secrets; print(secrets.token_urlsafe(24))'`) in the environment or .env "
    "and restart `faqbot serve`; then sign in at /admin/login with that token."
)
TICKET_FILTERS = ("waiting", "open", "claimed", "resolved", "all")
DONE = {
    "claimed": "You claimed the ticket.",
    "replied": "Your reply was sent to the customer.",
    "resolved": "The ticket is resolved; the customer has been told.",
}
# An uploaded FAQ waits this long between its check and its publication.
UPLOAD_TTL_SECONDS = 3600
MAX_TRY_CHARS = 1000


def add_dashboard(web_app: web.Application, app: App) -> None:
    Dashboard(app).add_routes(web_app)


class Dashboard:
    def __init__(self, app: App, clock: Callable[[], float] = time.time) -> None:
        self.app = app
        self.clock = clock
        token = app.settings.ADMIN_TOKEN
        self.sessions = Sessions(token.get_secret_value(), clock) if token is not None else None
        self.logins = RateLimiter(
            app.redis,
            f"{app.settings.REDIS_PREFIX}:dashboard",
            RateLimits(user_per_minute=LOGIN_ATTEMPTS_PER_MINUTE, channel_per_minute=0),
            clock=clock,
        )

    def add_routes(self, web_app: web.Application) -> None:
        r = web_app.router
        r.add_get("/admin/static/style.css", self.style)
        r.add_get("/admin/login", self.login_form)
        r.add_post("/admin/login", self.login)
        guarded: list[tuple[str, str, Guarded]] = [
            ("GET", "/admin", self.overview),
            ("POST", "/admin/logout", self.logout),
            ("GET", "/admin/tickets", self.ticket_list),
            ("GET", "/admin/tickets/{id}", self.ticket_page),
            ("POST", "/admin/tickets/{id}/claim", self.claim),
            ("POST", "/admin/tickets/{id}/reply", self.reply),
            ("POST", "/admin/tickets/{id}/resolve", self.resolve),
            ("GET", "/admin/knowledge", self.knowledge),
            ("GET", "/admin/knowledge/versions/{id}", self.version_page),
            ("POST", "/admin/knowledge/rollback", self.rollback),
            ("POST", "/admin/knowledge/check", self.check_upload),
            ("POST", "/admin/knowledge/publish", self.publish_upload),
            ("GET", "/admin/gaps", self.gaps_page),
            ("GET", "/admin/gaps/draft", self.draft_form),
            ("POST", "/admin/drafts/new", self.new_draft),
            ("POST", "/admin/drafts/{id}/{decision}", self.decide_draft),
            ("GET", "/admin/privacy", self.privacy_page),
            ("POST", "/admin/privacy/erase", self.erase),
        ]
        for method, path, handler in guarded:
            r.add_route(method, path, self._guard(handler))

    # ---- access

    def _guard(self, handler: Guarded) -> Handler:
        """Off without ADMIN_TOKEN; a signed-in session for everything; a matching CSRF token on
        every POST. A refusal changes nothing."""

        async def guarded(request: web.Request) -> web.StreamResponse:
            if self.sessions is None:
                return _off()
            session = self.sessions.verify(request.cookies.get(COOKIE))
            if session is None:
                if request.method == "GET":
                    raise web.HTTPSeeOther(f"/admin/login?{urlencode({'next': request.path_qs})}")
                return _refused("You are not signed in; nothing was changed.", 401)
            if request.method == "POST":
                form = await request.post()
                given = form.get("csrf")
                if not isinstance(given, str) or not self.sessions.csrf_matches(session, given):
                    return _refused(
                        "This form is out of date or did not come from the dashboard (its CSRF "
                        "token does not match); nothing was changed. Reload the page and retry.",
                        403,
                    )
            return await handler(request, session)

        return guarded

    async def style(self, _: web.Request) -> web.Response:
        return web.Response(text=STYLE, content_type="text/css")

    async def login_form(
        self, request: web.Request, error: str = "", target: str | None = None
    ) -> web.Response:
        if self.sessions is None:
            return _off()
        target = _local_path(request.query.get("next", "") if target is None else target)
        body = f"""
<form method="post" action="/admin/login">
<input type="hidden" name="next" value="{e(target)}">
<label for="token">Admin token</label>
<input type="password" id="token" name="token" autocomplete="current-password" required autofocus>
<label for="name">Your name, as customers see it on your replies</label>
<input type="text" id="name" name="name" maxlength="{MAX_NAME_CHARS}" value="Support">
<button type="submit">Sign in</button>
</form>
<p class="muted">The token is the ADMIN_TOKEN setting of the bot.</p>"""
        return _html(page("Sign in", body, session=None, error=error), 401 if error else 200)

    async def login(self, request: web.Request) -> web.StreamResponse:
        if self.sessions is None:
            return _off()
        where = ConversationKey("dashboard", "login", "-")
        try:
            verdict, _ = await self.logins.check(where, request.remote or "unknown")
        except RedisError:
            verdict = Verdict.ALLOWED  # the token still has to match
        if verdict is not Verdict.ALLOWED:
            log.warning("dashboard sign-in attempts over the limit from %s", request.remote)
            response = await self.login_form(
                request, "Too many sign-in attempts; wait a minute and try again."
            )
            response.set_status(429)
            return response
        form = await request.post()
        token, name, target = form.get("token"), form.get("name"), form.get("next")
        target = target if isinstance(target, str) else ""
        if not isinstance(token, str) or not self.sessions.token_matches(token):
            log.warning("dashboard sign-in refused from %s: wrong token", request.remote)
            return await self.login_form(request, "That token is not the admin token.", target)
        who = " ".join(name.split())[:MAX_NAME_CHARS] if isinstance(name, str) else ""
        response = _redirect(_local_path(target))
        response.set_cookie(
            COOKIE,
            self.sessions.issue(who or "Support"),
            max_age=SESSION_SECONDS,
            path="/admin",
            httponly=True,
            samesite="Strict",
            # Behind a proxy that ends TLS, its X-Forwarded-Proto says the browser used HTTPS.
            secure=request.secure or request.headers.get("X-Forwarded-Proto") == "https",
        )
        return response

    async def logout(self, _: web.Request, __: Session) -> web.StreamResponse:
        response = _redirect("/admin/login")
        response.del_cookie(COOKIE, path="/admin")
        return response

    # ---- overview

    async def overview(self, request: web.Request, session: Session) -> web.StreamResponse:
        days = 30 if request.query.get("days") == "30" else 7
        daily = await self.app.store.days(days, self.clock())

        def series(name: str) -> list[tuple[str, float]]:
            return [(day, values.get(name, 0.0)) for day, values in daily]

        def total(name: str) -> float:
            return sum(values.get(name, 0.0) for _, values in daily)

        answered, escalated = total("answered"), total("escalated")
        rate = f"{answered / (answered + escalated):.0%}" if answered + escalated else "n/a"
        waiting = await self.app.tickets.list()
        claimed = sum(1 for t in waiting if t.status is TicketStatus.CLAIMED)
        per_channel: dict[str, float] = {}
        for _, values in daily:
            for name, value in values.items():
                if name.startswith(f"{COST_FIELD}@"):
                    scope = name.removeprefix(f"{COST_FIELD}@")
                    per_channel[scope] = per_channel.get(scope, 0.0) + value
        other = 7 if days == 30 else 30
        helpful = f"{total('feedback_helpful'):,.0f} / {total('feedback_not_helpful'):,.0f}"
        queue = f"{len(waiting) - claimed} / {claimed}"
        summary = table(
            ["Figure", "#Value"],
            [
                ("Deflection: answered without a person", e(f"{answered:,.0f} ({rate})")),
                ("Escalations (tickets opened)", e(f"{escalated:,.0f}")),
                ("Helpful / Not helpful", e(helpful)),
                (
                    "Tickets resolved by an answer the bot offered",
                    e(f"{total('offers_accepted'):,.0f}"),
                ),
                ("LLM cost", e(_usd(total(COST_FIELD)))),
                (
                    "Tickets waiting now (open / claimed)",
                    f'<a href="/admin/tickets">{e(queue)}</a>',
                ),
            ],
            caption=f"Last {days} days",
            compact=True,
        )
        costs = (
            table(
                ["Channel or server", "#Cost"],
                [
                    (e(scope), e(_usd(cost)))
                    for scope, cost in sorted(per_channel.items(), key=lambda kv: -kv[1])
                ],
                caption=f"Last {days} days; a Discord server counts as one",
            )
            if per_channel
            else "<p>No LLM cost recorded in this period.</p>"
        )
        charts = "".join(
            [
                bar_chart("Answered without a person", series("answered")),
                bar_chart("Escalations", series("escalated"), colour="#a4160b"),
                bar_chart("Helpful", series("feedback_helpful"), colour="#1d6b2c"),
                bar_chart("Not helpful", series("feedback_not_helpful"), colour="#8a4b00"),
                bar_chart("Auto-resolved tickets", series("offers_accepted"), colour="#5a3d99"),
                bar_chart("LLM cost", series(COST_FIELD), fmt=_usd, colour="#333", unit="USD"),
            ]
        )
        body = f"""
<p>The last {days} days (UTC). <a href="/admin?days={other}">Show the last {other} days</a>.</p>
{summary}
<div class="grid">{charts}</div>
<h2>LLM cost per channel or server</h2>
{costs}"""
        return _html(page("Overview", body, session=session, current="/admin"))

    # ---- tickets

    async def ticket_list(self, request: web.Request, session: Session) -> web.StreamResponse:
        status = request.query.get("status", "waiting")
        status = status if status in TICKET_FILTERS else "waiting"
        platform = request.query.get("platform", "")
        platform = platform if platform in ALL_PLATFORMS else ""
        tickets = await self.app.tickets.list(include_resolved=status in ("resolved", "all"))
        shown = [
            t
            for t in reversed(tickets)
            if status in ("waiting", "all") or t.status == status
            if not platform or t.key.platform == platform
        ]

        def options(values: tuple[str, ...], chosen: str, first: str) -> str:
            return f'<option value="">{e(first)}</option>' * (first != "") + "".join(
                f'<option value="{e(v)}"{" selected" if v == chosen else ""}>{e(v)}</option>'
                for v in values
            )

        filters = f"""
<form class="filters" method="get" action="/admin/tickets">
<div><label for="status">Status</label>
<select id="status" name="status">{options(TICKET_FILTERS, status, "")}</select></div>
<div><label for="platform">Platform</label>
<select id="platform" name="platform">{options(ALL_PLATFORMS, platform, "any")}</select></div>
<div><button type="submit">Filter</button></div>
</form>"""
        rows = [
            (
                f'<a href="/admin/tickets/{e(quote(t.id))}">{e(t.id)}</a>',
                e(t.status),
                e(t.key.platform),
                e(t.user_name or t.user_id),
                e(t.question[:120]),
                e(t.claimed_by or "-"),
                e(when(t.created_at)),
            )
            for t in shown
        ]
        listing = (
            table(
                ["Ticket", "Status", "Platform", "Customer", "Question", "Agent", "Opened"],
                rows,
                caption=f"{len(rows)} ticket(s)",
            )
            if rows
            else "<p>No tickets match.</p>"
        )
        return _html(page("Tickets", filters + listing, session=session, current="/admin/tickets"))

    async def ticket_page(
        self, request: web.Request, session: Session, error: str = ""
    ) -> web.StreamResponse:
        try:
            ticket = await self.app.tickets.get(request.match_info["id"])
        except TicketError as exc:
            return _html(page("No such ticket", "", session=session, error=str(exc)), 404)
        path = f"/admin/tickets/{quote(ticket.id)}"
        lines = "".join(
            f'<li><span class="role">{e(role)}</span>'
            f"{e(f' ({author})') if author and role != 'customer' else ''}: "
            f'<span class="pre">{e(said)}</span></li>'
            for role, said, author in transcript_lines(ticket)
        )
        actions = ""
        limit = self.app.settings.MAX_MESSAGE_CHARS
        if ticket.status is not TicketStatus.RESOLVED:
            claim = (
                action(session, f"{path}/claim", f"Claim as {session.name}")
                if ticket.status is TicketStatus.OPEN
                else ""
            )
            actions = f"""
<h2>Act on it</h2>
{claim}
<form method="post" action="{e(path)}/reply">{csrf_field(session)}
<label for="reply">Reply to the customer (sent on {e(ticket.key.platform)} as
{e(session.name)})</label>
<textarea id="reply" name="text" required maxlength="{limit}"></textarea>
<button type="submit">Send reply</button>
</form>
{action(session, f"{path}/resolve", "Resolve", style="secondary")}"""
        details = table(
            ["Field", "Value"],
            [
                ("Status", e(ticket.status)),
                ("Customer", e(f"{ticket.user_name or ticket.user_id} ({ticket.user_id})")),
                ("Where", e(f"{ticket.key.platform} · {ticket.key.redis_key}")),
                ("Reason", e(ticket.reason)),
                ("Question", f'<span class="pre">{e(ticket.question)}</span>'),
                ("Agent", e(ticket.claimed_by or "-")),
                ("Opened", e(when(ticket.created_at))),
                ("Last change", e(when(ticket.updated_at))),
            ],
            compact=True,
        )
        body = (
            f'<p><a href="/admin/tickets">All tickets</a></p>{details}'
            f'<h2>Transcript</h2><ol class="transcript">{lines}</ol>{actions}'
        )
        notice = DONE.get(request.query.get("done", ""), "")
        return _html(
            page(
                f"Ticket {ticket.id}",
                body,
                session=session,
                current="/admin/tickets",
                notice=notice,
                error=error,
            ),
            409 if error else 200,
        )

    async def claim(self, request: web.Request, session: Session) -> web.StreamResponse:
        return await self._ticket_action(request, session, "claimed")

    async def resolve(self, request: web.Request, session: Session) -> web.StreamResponse:
        return await self._ticket_action(request, session, "resolved")

    async def reply(self, request: web.Request, session: Session) -> web.StreamResponse:
        return await self._ticket_action(request, session, "replied")

    async def _ticket_action(
        self, request: web.Request, session: Session, done: str
    ) -> web.StreamResponse:
        ticket_id = request.match_info["id"]
        engine = self.app.engine
        try:
            if done == "claimed":
                await engine.claim(ticket_id, session.name)
            elif done == "resolved":
                await engine.resolve(ticket_id, session.name)
            else:
                text = (await request.post()).get("text")
                text = text.strip() if isinstance(text, str) else ""
                if not text:
                    return await self.ticket_page(request, session, "Write a reply first.")
                refused = await engine.agent_reply(ticket_id, session.name, text, desk_note=True)
                if refused:
                    return await self.ticket_page(request, session, refused)
        except TicketError as exc:
            return await self.ticket_page(request, session, str(exc))
        log.info("dashboard: %s %s as %s", ticket_id, done, session.name)
        raise web.HTTPSeeOther(f"/admin/tickets/{quote(ticket_id.upper())}?done={done}")

    # ---- knowledge

    async def knowledge(self, request: web.Request, session: Session) -> web.StreamResponse:
        versions = self.app.publisher.versions
        live = await versions.live_id()
        history = await versions.history(versions.keep)
        infos = {p.version: await versions.info(p.version) for p in history}
        rows = []
        marked = False
        for publication in history:
            info = infos[publication.version]
            is_live = publication.version == live and not marked
            marked = marked or is_live
            changes = "-"
            if info is not None and info.previous is not None:
                c = info.changes
                changes = f"+{len(c.added)} -{len(c.removed)} ~{len(c.changed)}"
            link = f"/admin/knowledge/versions/{quote(publication.version)}"
            rows.append(
                (
                    f'<a href="{e(link)}">{e(publication.version)}</a>'
                    + (" <strong>(live)</strong>" if is_live else ""),
                    e(publication.action),
                    e(publication.who),
                    e(when(publication.when)),
                    e(f"{info.count} entries, from {info.source}" if info else "-"),
                    e(changes),
                    ""
                    if publication.version == live
                    else action(
                        session,
                        "/admin/knowledge/rollback",
                        f"Roll back to {publication.version}",
                        hidden={"version": publication.version},
                        style="secondary",
                    ),
                )
            )
        history_table = (
            table(
                ["Version", "Action", "By", "When", "Content", "Changes", ""],
                rows,
                caption="Publications, newest first",
            )
            if rows
            else "<p>No FAQ version has been published yet.</p>"
        )
        body = f"""
<p>Live version <strong>{e(live or "none")}</strong>, {len(self.app.faq.index)} entries served by
this process.</p>
{await self._try_section(request)}
<h2>Publish a new version</h2>
<form method="post" action="/admin/knowledge/check" enctype="multipart/form-data">
{csrf_field(session)}
<label for="faq-file">FAQ file (YAML, CSV or Markdown)</label>
<input type="file" id="faq-file" name="file" required accept=".yaml,.yml,.csv,.md,.markdown">
<p class="muted">First the file is checked against the golden questions; you publish it on the
next page.</p>
<button type="submit">Check this file</button>
</form>
<h2>History</h2>
{history_table}"""
        return _html(page("Knowledge", body, session=session, current="/admin/knowledge"))

    async def _try_section(self, request: web.Request) -> str:
        """ "Try a question": the decision a customer's question would get now, offline and
        without a ticket or a counter, like `faqbot eval`."""
        question = request.query.get("q", "").strip()[:MAX_TRY_CHARS]
        form = f"""
<h2 id="try">Try a question</h2>
<form method="get" action="/admin/knowledge#try">
<label for="q">A customer's question</label>
<input type="search" id="q" name="q" value="{e(question)}" required>
<button type="submit">See what the bot would answer</button>
</form>"""
        if not question:
            return form
        index = self.app.faq.index
        route = await self.app.engine.router.route(
            index, question, detect_language(question), [], llm_allowed=False
        )
        said = route.answer.text if route.answer is not None else ""
        why = " (no answer in the FAQ; it reads as asking for a person)" if route.unanswered else ""
        hits = table(
            ["Entry", "Question", "#Confidence"],
            [
                (e(hit.entry.id), e(hit.entry.question), e(f"{hit.confidence:.2f}"))
                for hit in route.hits
            ],
            caption="Entries found, best first",
        )
        return f"""{form}
<section class="card" aria-live="polite">
<p>Decision: <strong>{e(route.kind)}</strong>{why} (confidence {route.confidence:.2f}; offline,
without the LLM)</p>
{f'<p class="pre">{e(said)}</p>' if said else ""}
{hits if route.hits else "<p>No entry was found.</p>"}
</section>"""

    async def version_page(self, request: web.Request, session: Session) -> web.StreamResponse:
        versions = self.app.publisher.versions
        version = request.match_info["id"]
        info = await versions.info(version)
        if info is None:
            return _html(page("No such version", "", session=session, error=version), 404)
        try:
            after = {entry.id: entry for entry in await versions.entries(version)}
        except FaqLoadError as exc:
            return _html(page(f"Version {version}", "", session=session, error=str(exc)), 500)
        before: dict[str, FaqEntry] | None = None
        if info.previous is not None:
            try:
                before = {entry.id: entry for entry in await versions.entries(info.previous)}
            except FaqLoadError:
                before = None  # pruned (FAQ_VERSIONS_KEEP): only the changed ids are known
        c = info.changes
        if info.previous is None:
            diff = "<p>The first version: it has nothing to differ from.</p>"
        elif before is None:
            diff = (
                "<p>The version before it is no longer stored; the entries that changed: "
                f"added {e(', '.join(c.added) or 'none')}, removed "
                f"{e(', '.join(c.removed) or 'none')}, changed {e(', '.join(c.changed) or 'none')}."
                "</p>"
            )
        else:
            ids = sorted(before.keys() | after.keys())
            blocks = [
                _entry_diff(i, before.get(i), after.get(i))
                for i in ids
                if before.get(i) != after.get(i)
            ]
            diff = "".join(blocks) or "<p>Same entries as the version before.</p>"
        body = f"""
<p><a href="/admin/knowledge">Knowledge</a></p>
<p>{info.count} entries from {e(info.source)}, by {e(info.who)}, {e(when(info.when))}.
Compared with the version live before it: {e(info.previous or "none")}.</p>
{diff}"""
        return _html(page(f"Version {version}", body, session=session, current="/admin/knowledge"))

    async def rollback(self, request: web.Request, session: Session) -> web.StreamResponse:
        version = (await request.post()).get("version")
        if not isinstance(version, str) or not version:
            return _refused("Say which version to roll back to.", 400)
        report = await self.app.publisher.rollback(f"dashboard:{session.name}", version)
        return self._report_page("Rollback", report, session)

    async def check_upload(self, request: web.Request, session: Session) -> web.StreamResponse:
        field = (await request.post()).get("file")
        if not isinstance(field, web.FileField):
            return _refused("Choose a FAQ file to check.", 400)
        limit = self.app.settings.FAQ_UPLOAD_MAX_BYTES
        data = field.file.read(limit + 1)
        if len(data) > limit:
            return _refused(f"The file is over {limit:,} bytes (FAQ_UPLOAD_MAX_BYTES).", 413)
        upload = Upload(field.filename, data, f"dashboard upload {field.filename}")
        report = await self.app.publisher.reload(
            f"dashboard:{session.name}", upload=upload, check_only=True
        )
        if not report.checked_only:  # the file itself was refused, or is the live FAQ
            return self._report_page("Check", report, session)
        upload_id = secrets.token_urlsafe(16)
        name = self._upload_key(upload_id)
        await self.app.redis.hset(
            name, mapping={"name": field.filename, "data": base64.b64encode(data).decode()}
        )
        await self.app.redis.expire(name, UPLOAD_TTL_SECONDS)
        check = report.check
        if check is None or check.golden is None:
            verdict = "No golden.yaml next to the FAQ: no regression check can be run."
        else:
            verdict = (
                f"Golden questions routed right: {check.accuracy_before:.1%} with the live FAQ, "
                f"{check.accuracy_after:.1%} with this file."
            )
        broken = (
            table(
                ["Question", "Expected", "Was", "Now"],
                [
                    (e(r.question), e(r.expected), e(r.before), e(r.after))
                    for r in check.regressions
                ],
                caption="What would break",
            )
            if check is not None and check.regressions
            else ""
        )
        c = report.changes
        publish = (
            action(
                session,
                "/admin/knowledge/publish",
                "Publish this version",
                hidden={"upload": upload_id},
            )
            if report.ok
            else "<p><strong>The check failed.</strong> Fix the file or the golden questions; "
            "or publish anyway, skipping the check.</p>"
            + action(
                session,
                "/admin/knowledge/publish",
                "Publish anyway (skip the check)",
                hidden={"upload": upload_id, "force": "1"},
                style="danger",
            )
        )
        body = f"""
<p>{e(field.filename)}: {report.entries} entries, version {e(report.version)}.</p>
{
            table(
                ["Change", "Entries"],
                [
                    (f"Added ({len(c.added)})", e(", ".join(c.added) or "none")),
                    (f"Removed ({len(c.removed)})", e(", ".join(c.removed) or "none")),
                    (f"Changed ({len(c.changed)})", e(", ".join(c.changed) or "none")),
                ],
            )
        }
<p>{e(verdict)}</p>
{broken}
{publish}
<p><a href="/admin/knowledge">Back to Knowledge without publishing</a></p>"""
        title = "Check passed" if report.ok else "Check failed"
        return _html(page(title, body, session=session, current="/admin/knowledge"))

    async def publish_upload(self, request: web.Request, session: Session) -> web.StreamResponse:
        form = await request.post()
        upload_id = form.get("upload")
        stored = (
            await self.app.redis.hgetall(self._upload_key(upload_id))
            if isinstance(upload_id, str)
            else {}
        )
        try:
            data = base64.b64decode(stored["data"], validate=True)
        except (KeyError, binascii.Error):
            return _refused("This upload has expired or is unknown: check the file again.", 410)
        name = text(stored.get("name", "faq.yaml"))
        upload = Upload(name, data, f"dashboard upload {name}")
        report = await self.app.publisher.reload(
            f"dashboard:{session.name}", upload=upload, force=form.get("force") == "1"
        )
        if report.ok:
            await self.app.redis.delete(self._upload_key(str(upload_id)))
        return self._report_page("Publish", report, session)

    def _upload_key(self, upload_id: str) -> str:
        return f"{self.app.settings.REDIS_PREFIX}:dashboard:upload:{upload_id}"

    def _report_page(self, what: str, report: PublishReport, session: Session) -> web.Response:
        said = format_publish(report)
        body = '<p><a href="/admin/knowledge">Back to Knowledge</a></p>'
        return _html(
            page(
                f"{what}: {'done' if report.ok else 'refused'}",
                body,
                session=session,
                current="/admin/knowledge",
                notice=said if report.ok else "",
                error="" if report.ok else said,
            ),
            200 if report.ok else 409,
        )

    # ---- gaps and drafts

    async def gaps_page(self, request: web.Request, session: Session) -> web.StreamResponse:
        longest = self.app.gaps.retention_days
        try:
            days = min(max(int(request.query.get("days", "7")), 1), longest)
        except ValueError:
            days = 7
        clusters = await self.app.gaps.clusters(days)
        rows = [
            (
                e(cluster.example),
                e(cluster.count),
                e(", ".join(f"{reason}: {n}" for reason, n in cluster.reasons.items())),
                e(when(cluster.last_seen)),
                f'<a href="/admin/gaps/draft?{e(urlencode({"question": cluster.example}))}">'
                "Draft an entry</a>",
            )
            for cluster in clusters
        ]
        gaps = (
            table(
                ["Question (an example)", "#Times", "Why", "Last seen", ""],
                rows,
                caption=f"Questions the FAQ failed in the last {days} day(s), most frequent first",
            )
            if rows
            else f"<p>No gaps in the last {days} day(s): nothing escalated or rated Not "
            "helpful.</p>"
        )
        drafts = await self.app.drafts.find(DraftStatus.PENDING, DraftStatus.APPROVED)
        cards = "".join(
            f"""<section class="card"><h3>{e(d.id)} [{e(d.status)}]</h3>
<p class="muted">From {e(d.origin)} by {e(d.agent)}, {e(when(d.created_at))}.</p>
<p><strong>Question:</strong> <span class="pre">{e(d.question)}</span></p>
<p><strong>Answer:</strong></p><p class="pre">{e(d.answer)}</p>
{
                action(session, f"/admin/drafts/{quote(d.id)}/approve", f"Approve {d.id}")
                if d.status is DraftStatus.PENDING
                else "<p>Approved: it joins the next published version.</p>"
            }
{action(session, f"/admin/drafts/{quote(d.id)}/drop", f"Drop {d.id}", style="secondary")}
</section>"""
            for d in drafts
        )
        body = f"""
<form class="filters" method="get" action="/admin/gaps">
<div><label for="days">Days</label>
<input type="text" id="days" name="days" value="{days}" inputmode="numeric" size="4"></div>
<div><button type="submit">Show</button></div>
</form>
{gaps}
<h2>Drafts</h2>
<p class="muted">Approved drafts join the next version published from Knowledge.</p>
{cards or "<p>No drafts waiting.</p>"}"""
        return _html(page("Gaps and drafts", body, session=session, current="/admin/gaps"))

    async def draft_form(self, request: web.Request, session: Session) -> web.StreamResponse:
        question = request.query.get("question", "")
        body = f"""
<form method="post" action="/admin/drafts/new">{csrf_field(session)}
<label for="question">Question</label>
<input type="text" id="question" name="question" value="{e(question)}" required>
<label for="answer">Answer</label>
<textarea id="answer" name="answer" required></textarea>
<button type="submit">Save as a draft</button>
</form>
<p class="muted">A draft waits for approval under Gaps and drafts.</p>"""
        return _html(page("Draft an entry", body, session=session, current="/admin/gaps"))

    async def new_draft(self, request: web.Request, session: Session) -> web.StreamResponse:
        form = await request.post()
        question, answer = form.get("question"), form.get("answer")
        if not (isinstance(question, str) and question.strip()) or not (
            isinstance(answer, str) and answer.strip()
        ):
            return _refused("A draft needs a question and an answer.", 400)
        draft = await self.app.drafts.create(question.strip(), answer.strip(), session.name)
        return _html(
            page(
                "Draft saved",
                '<p><a href="/admin/gaps">Back to gaps and drafts</a></p>',
                session=session,
                current="/admin/gaps",
                notice=f"{draft.id} saved; approve it to publish it with the next version.",
            )
        )

    async def decide_draft(self, request: web.Request, session: Session) -> web.StreamResponse:
        decision = request.match_info["decision"]
        if decision not in ("approve", "drop"):
            raise web.HTTPNotFound()
        decide = self.app.drafts.approve if decision == "approve" else self.app.drafts.drop
        try:
            draft = await decide(request.match_info["id"], f"dashboard:{session.name}")
        except DraftError as exc:
            return _refused(str(exc), 409)
        return _html(
            page(
                f"Draft {draft.id} {draft.status}",
                '<p><a href="/admin/gaps">Back to gaps and drafts</a></p>',
                session=session,
                current="/admin/gaps",
                notice=f"{draft.id} is {draft.status}.",
            )
        )

    # ---- privacy

    async def privacy_page(
        self, _: web.Request, session: Session, result: str = ""
    ) -> web.StreamResponse:
        platforms = "".join(f'<option value="{e(p)}">{e(p)}</option>' for p in ALL_PLATFORMS)
        body = f"""
<p>Erase everything kept about one person: their conversations, tickets, FAQ-gap records and
undecided drafts from their tickets; in conversations and tickets shared with others, only their
words. This cannot be undone.</p>
<form method="post" action="/admin/privacy/erase">{csrf_field(session)}
<label for="platform">Platform</label>
<select id="platform" name="platform"><option value="">every platform</option>{platforms}</select>
<label for="user">Their user id on that platform</label>
<input type="text" id="user" name="user" required>
<button type="submit" class="danger">Erase this person</button>
</form>
{result}"""
        return _html(page("Privacy", body, session=session, current="/admin/privacy"))

    async def erase(self, request: web.Request, session: Session) -> web.StreamResponse:
        form = await request.post()
        user, platform = form.get("user"), form.get("platform")
        if not isinstance(user, str) or not user.strip():
            return _refused("Give the person's user id.", 400)
        user = user.strip()
        chosen = platform if isinstance(platform, str) and platform in ALL_PLATFORMS else ""
        rows = []
        for where in [chosen] if chosen else list(ALL_PLATFORMS):
            erasure = await self.app.privacy.erase(user, where)
            if erasure.found:
                rows.append((e(where), e(", ".join(erasure.removed()))))
        log.info("dashboard: %s erased %s user %s", session.name, chosen or "every", user)
        result = (
            table(["Platform", "Removed"], rows, caption=f"Erased {user}")
            if rows
            else f'<p role="status">Nothing stored for {e(user)}.</p>'
        )
        return await self.privacy_page(request, session, result)


def _entry_diff(entry_id: str, old: FaqEntry | None, new: FaqEntry | None) -> str:
    def lines(entry: FaqEntry | None) -> list[str]:
        if entry is None:
            return []
        return [f"Q: {entry.question}", *(f"A: {line}" for line in entry.answer.splitlines())]

    label = "added" if old is None else "removed" if new is None else "changed"
    rows = []
    for line in difflib.ndiff(lines(old), lines(new)):
        mark = line[:1]
        if mark == "?":
            continue
        css = {"+": ' class="diff-add"', "-": ' class="diff-del"'}.get(mark, "")
        sign = {"+": "added: ", "-": "removed: "}.get(mark, "")
        rows.append(f'<li{css}><span class="muted">{sign}</span>{e(line[2:])}</li>')
    return f'<h3>{e(entry_id)} ({label})</h3><ul class="pre">{"".join(rows)}</ul>'


def _local_path(target: str) -> str:
    """Where to go after signing in: a dashboard path only, never another site."""
    if target.startswith("/admin") and not target.startswith("//") and target.isprintable():
        return target
    return "/admin"


def _usd(value: float) -> str:
    return f"${value:,.4f}" if 0 < value < 1 else f"${value:,.2f}"


def _off() -> web.Response:
    return _html(page("Dashboard off", f"<p>{e(OFF)}</p>", session=None), 404)


def _redirect(location: str) -> web.Response:
    """A See Other to return rather than raise, for a response that also sets a cookie."""
    return web.Response(status=303, headers={"Location": location})


def _html(text: str, status: int = 200) -> web.Response:
    response = web.Response(text=text, status=status, content_type="text/html", charset="utf-8")
    response.headers.update(SECURITY_HEADERS)
    return response


def _refused(reason: str, status: int) -> web.Response:
    body = '<p><a href="/admin">Back to the dashboard</a></p>'
    return _html(page("Not done", body, session=None, error=reason), status)
