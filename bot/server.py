"""`faqbot serve`: the HTTP endpoints, every configured platform adapter, and a clean shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Protocol

from aiohttp import web
from redis.exceptions import RedisError

from bot.app import App
from bot.channels import Desk, OutputChannel
from bot.reminders import run_housekeeping

log = logging.getLogger(__name__)


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

    async def start(self) -> None: ...

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
        status = 200 if all(checks.values()) else 503
        return web.json_response({"ready": status == 200, **checks}, status=status)

    async def metrics(_: web.Request) -> web.Response:
        return web.Response(body=app.metrics.render(), content_type="text/plain", charset="utf-8")

    web_app = web.Application()
    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/readyz", readyz)
    web_app.router.add_get("/metrics", metrics)
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
    for adapter in adapters:
        await adapter.start()
        log.info("%s adapter started", adapter.name)
    housekeeping = (
        asyncio.create_task(run_housekeeping(app.engine, app.reminders, stop))
        if app.reminders is not None
        else None
    )
    ended = [asyncio.create_task(adapter.ended()) for adapter in adapters]
    stopped = asyncio.create_task(stop.wait())
    try:
        done, _ = await asyncio.wait([stopped, *ended], return_when=asyncio.FIRST_COMPLETED)
        failures = [task.result() for task in ended if task in done]
        for failure in failures:
            log.error("shutting down: %s", failure)
        log.info("shutting down: no new messages, finishing those in flight")
        return 1 if failures else 0
    finally:
        for task in [stopped, *ended]:
            task.cancel()
        if housekeeping is not None:
            housekeeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await housekeeping
        await stop_adapters(adapters, app.settings.SHUTDOWN_GRACE_SECONDS)
        await save_held_tickets(app)
        await runner.cleanup()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
