"""The baseline of bench.slack: a bare slack-bolt AsyncApp whose message/app_mention handler posts
a fixed reply, served by aiohttp the way the faqbot adapter serves /slack/events.

    SLACK_API_URL=... SLACK_SIGNING_SECRET=... SLACK_BOT_TOKEN=... PORT=... \\
        python -m bench.bare_bolt
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

REPLY = "Thanks, here is a fixed reply."


def build() -> web.Application:
    client = AsyncWebClient(
        token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]
    )
    bolt = AsyncApp(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"])

    async def reply(event: dict[str, Any], client: AsyncWebClient) -> None:
        await client.chat_postMessage(
            channel=event["channel"], thread_ts=event.get("thread_ts") or event["ts"], text=REPLY
        )

    bolt.event("app_mention")(reply)
    bolt.event("message")(reply)

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    app = web.Application()
    app.router.add_post("/slack/events", events)
    return app


async def main() -> None:
    runner = web.AppRunner(build())
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", int(os.environ["PORT"])).start()
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
