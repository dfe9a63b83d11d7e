"""`faqbot serve`: the HTTP endpoints, every configured platform adapter, and a clean shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from enum import StrEnum
from typing import Protocol

from aiohttp import web
from redis.exceptions import RedisError

from bot.core.channels import Desk, OutputChannel
from bot.dashboard import add_dashboard
from bot.desk.reminders import run_housekeeping
from bot.runtime.app import App

log = logging.getLogger(__name__)


class Connection(StrEnum):
    """How an adapter's link to its platform stands, as `/readyz` reports it."""

    CONNECTING = "connecting"  # not yet connected, or connecting again after losing the link
    CONNECTED = "connected"  # events arrive (in Slack's HTTP mode: the endpoint is served)
    FAILED = "failed"  # the platform refused the bot for good; the process is exiting


class PlatformAdapter(Protocol):
    """A chat platform plugged into the core; it may add routes (Slack's /slack/events).

    `output` lets the core speak in the platform's conversations on its own; `desk` is the
    platform's escalation desk when its channel is configured, else None.
    """

    name: str

    @property
    def output(self) -> OutputChannel: ...

    @property
    def desk(self) -> Desk | None: ...

    def add_routes(self, web_app: web.Application) -> None: ...

    async def start(self) -> None:
        """Connect to the platform. It may take long (an unreachable platform is retried):
        serve runs it beside everything else and cancels it on SIGTERM."""
        ...

    async def connection(self) -> Connection: ...

    async def ended(self) -> str:
        """Return, with the reason, only if the platform refused the bot for good (a rejected
        token, a missing permission): the process should exit rather than serve without it."""
        ...

    async def stop(self) -> None:
        """Take no new messages, finish those in flight, then disconnect."""
        ...


def platform_adapters(app: App) -> list[PlatformAdapter]:
    """Adapters for the platforms whose credentials are set, imported only when needed."""
    adapters: list[PlatformAdapter] = []
    if app.settings.SLACK_BOT_TOKEN is not None:
        from handlers.slack import SlackAdapter

        adapters.append(SlackAdapter.from_app(app))
    if app.settings.DISCORD_TOKEN is not None:
        from handlers.discord import DiscordAdapter

        adapters.append(DiscordAdapter.from_app(app))
    return adapters


def connect(app: App, adapters: list[PlatformAdapter]) -> None:
    """Plug each adapter's outbound side into the core and pick the escalation desk."""
    for adapter in adapters:
        app.engine.register_channel(adapter.output)
    desks = {adapter.name: adapter.desk for adapter in adapters if adapter.desk is not None}
    preferred = app.settings.DESK_PLATFORM
    chosen = desks.get(preferred) if preferred != "auto" else next(iter(desks.values()), None)
    if preferred != "auto" and chosen is None:
        log.warning("DESK_PLATFORM=%s but that platform's desk is not configured", preferred)
    if chosen is not None:
        app.engine.set_desk(chosen)


def build_web_app(app: App, adapters: list[PlatformAdapter]) -> web.Application:
    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(_: web.Request) -> web.Response:
        checks = {"faq": len(app.faq.index) > 0, "redis": False}
        with contextlib.suppress(RedisError, OSError):
            checks["redis"] = await app.store.ping()
        platforms = {adapter.name: await adapter.connection() for adapter in adapters}
        ready = all(checks.values()) and all(
            state is Connection.CONNECTED for state in platforms.values()
        )
        return web.json_response(
            {"ready": ready, **checks, **platforms}, status=200 if ready else 503
        )

    async def metrics(_: web.Request) -> web.Response:
        return web.Response(body=app.metrics.render(), content_type="text/plain", charset="utf-8")

    # A FAQ file uploaded on the dashboard may be as large as FAQ_UPLOAD_MAX_BYTES, with its form.
    body_limit = max(1024**2, app.settings.FAQ_UPLOAD_MAX_BYTES + 64 * 1024)
    web_app = web.Application(client_max_size=body_limit)
    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/readyz", readyz)
    web_app.router.add_get("/metrics", metrics)
    add_dashboard(web_app, app)
    for adapter in adapters:
        adapter.add_routes(web_app)
    return web_app


async def stop_adapters(adapters: list[PlatformAdapter], grace: float) -> None:
    """Each adapter stops taking messages and finishes those in flight, within `grace` seconds."""
    try:
        async with asyncio.timeout(grace):
            await asyncio.gather(*(adapter.stop() for adapter in adapters))
    except TimeoutError:
        log.warning(
            "messages still in flight after SHUTDOWN_GRACE_SECONDS=%s; stopping anyway", grace
        )


async def save_held_tickets(app: App) -> None:
    """A last try at storing the tickets held during a Redis outage; any left are named."""
    if app.engine.outbox:
        try:
            await app.engine.flush_outbox()
        except Exception:
            log.exception("storing the held tickets failed")
    if app.engine.outbox:
        held = ", ".join(ticket.id for ticket in app.engine.outbox.held)
        log.error("exiting with tickets Redis never stored (their desk cards remain): %s", held)


async def _until_stopped_or_failed(
    stopped: asyncio.Task[bool],
    ended: list[asyncio.Task[str]],
    starting: dict[asyncio.Task[None], str],
) -> list[str]:
    """Wait for `stopped`, for a platform that refuses the bot, or for one that cannot start;
    return the failures. Starts that succeed are logged and leave `starting`."""
    while True:
        done, _ = await asyncio.wait(
            [stopped, *ended, *starting], return_when=asyncio.FIRST_COMPLETED
        )
        failures = [task.result() for task in ended if task in done]
        for task in [task for task in starting if task in done]:
            name = starting.pop(task)
            if task.exception() is not None:
                failures.append(f"{name} could not start: {task.exception()!r}")
            else:
                log.info("%s adapter started", name)
        if failures or stopped in done:
            return failures


async def serve(app: App, stop: asyncio.Event | None = None) -> int:
    """Run until SIGTERM or SIGINT (or `stop` is set), then finish in-flight work and exit 0;
    exit 1 when a platform refuses the bot, so a supervisor shows the reason instead of a bot
    that looks healthy and answers no one."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await app.start()
    adapters = platform_adapters(app)
    connect(app, adapters)
    runner = web.AppRunner(build_web_app(app, adapters), shutdown_timeout=10)
    await runner.setup()
    site = web.TCPSite(runner, app.settings.HTTP_HOST, app.settings.HTTP_PORT)
    await site.start()
    log.info("HTTP endpoints on %s:%s", app.settings.HTTP_HOST, app.settings.HTTP_PORT)
    if not adapters:
        log.info("no platform is configured: serving only the HTTP endpoints")
    starting = {asyncio.create_task(adapter.start()): adapter.name for adapter in adapters}
    housekeeping = (
        asyncio.create_task(run_housekeeping(app.engine, app.reminders, stop))
        if app.reminders is not None
        else None
    )
    ended = [asyncio.create_task(adapter.ended()) for adapter in adapters]
    stopped = asyncio.create_task(stop.wait())
    try:
        failures = await _until_stopped_or_failed(stopped, ended, starting)
        for failure in failures:
            log.error("shutting down: %s", failure)
        log.info("shutting down: no new messages, finishing those in flight")
        return 1 if failures else 0
    finally:
        for task in [stopped, *ended, *starting]:
            task.cancel()
        # A platform still connecting is abandoned: its adapter's stop() closes what it opened.
        await asyncio.gather(*starting, return_exceptions=True)
        if housekeeping is not None:
            housekeeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await housekeeping
        await stop_adapters(adapters, app.settings.SHUTDOWN_GRACE_SECONDS)
        await save_held_tickets(app)
        await runner.cleanup()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
