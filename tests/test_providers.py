"""Private deployments: Claude on Amazon Bedrock or Google Vertex AI, through the anthropic SDK's
own clients, against the local Messages stand-in serving those platforms' paths."""

from __future__ import annotations

import pytest

from bot.answering.streaming import StreamOpener
from bot.core.models import ConversationKey, IncomingMessage, Reply
from bot.runtime.settings import SettingsError
from tests.conftest import MakeApp
from tests.people import Customer
from tests.standins.anthropic_api import AnthropicStandIn

QUESTION = "How do I reset my password? I forgot it"


async def test_a_question_is_answered_by_claude_on_bedrock_with_a_signed_request(
    make_app: MakeApp, claude: AnthropicStandIn
) -> None:
    app = make_app(
        LLM_PROVIDER="bedrock",
        AWS_REGION="eu-west-3",
        AWS_ACCESS_KEY_ID="AKIDEXAMPLEDUMMY",
        AWS_SECRET_ACCESS_KEY="dummy-secret",
        ANTHROPIC_BASE_URL=claude.url,
        ANTHROPIC_MODEL="eu.anthropic.claude-sonnet-5-5-v1:0",
        LLM_FULL_FAQ_TOKENS=0,
    )
    reply = await Customer(app.engine).say(QUESTION)
    assert reply.text.startswith("From the FAQ:")
    assert reply.source_ids == ["reset-password"]
    [request] = claude.requests
    assert request.path == "/model/eu.anthropic.claude-sonnet-5-5-v1:0/invoke"
    authorization = request.headers["Authorization"]
    assert (
        authorization.startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLEDUMMY/")
        and "/eu-west-3/bedrock/aws4_request" in authorization
    )
    assert "Signature=" in authorization and "X-Amz-Date" in request.headers
    assert "model" not in request.body and request.body["anthropic_version"]
    assert (await app.store.usage())["cost_usd"] > 0  # priced as the first-party model
    assert "x-api-key" not in {name.lower() for name in request.headers}


async def test_a_question_is_answered_by_claude_on_vertex_ai(
    make_app: MakeApp, claude: AnthropicStandIn
) -> None:
    app = make_app(
        LLM_PROVIDER="vertex",
        VERTEX_PROJECT_ID="acme-support",
        VERTEX_REGION="europe-west1",
        VERTEX_ACCESS_TOKEN="ya29.dummy-token",
        ANTHROPIC_BASE_URL=claude.url,
        ANTHROPIC_MODEL="claude-sonnet-5-5@20261101",
        LLM_FULL_FAQ_TOKENS=0,
    )
    reply = await Customer(app.engine).say(QUESTION)
    assert reply.source_ids == ["reset-password"]
    [request] = claude.requests
    assert request.path == (
        "/projects/acme-support/locations/europe-west1/publishers/anthropic/models/"
        "claude-sonnet-5-5@20261101:rawPredict"
    )
    assert request.headers["Authorization"] == "Bearer ya29.dummy-token"
    assert "model" not in request.body and request.body["anthropic_version"]


@pytest.mark.parametrize(
    ("provider", "missing"),
    [("bedrock", ["AWS_REGION"]), ("vertex", ["VERTEX_PROJECT_ID", "VERTEX_REGION"])],
)
def test_a_private_deployment_without_its_location_is_refused_naming_the_settings(
    make_app: MakeApp, provider: str, missing: list[str]
) -> None:
    with pytest.raises(SettingsError) as refused:
        make_app(LLM_PROVIDER=provider, VERTEX_ACCESS_TOKEN="t")
    assert [line.split(":")[0] for line in str(refused.value).splitlines()] == [
        f"invalid setting {name}" for name in missing
    ]


class CollectingStream:
    """A platform that shows a streamed answer: it keeps what it is sent."""

    interval = 0.0

    def __init__(self) -> None:
        self.appended: list[str] = []
        self.final: Reply | None = None
        self.replaced = False

    async def append(self, text: str) -> None:
        self.appended.append(text)

    async def finish(self, reply: Reply) -> None:
        self.final = reply

    async def abandon(self, replacement: Reply) -> None:
        self.final, self.replaced = replacement, True


@pytest.mark.parametrize(
    ("provider", "settings", "path_end"),
    [
        (
            "bedrock",
            {"AWS_REGION": "eu-west-3", "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "x"},
            "/invoke-with-response-stream",
        ),
        (
            "vertex",
            {
                "VERTEX_PROJECT_ID": "acme-support",
                "VERTEX_REGION": "europe-west1",
                "VERTEX_ACCESS_TOKEN": "ya29.dummy-token",
            },
            ":streamRawPredict",
        ),
    ],
)
async def test_an_answer_streams_from_claude_on_bedrock_and_vertex_ai(
    make_app: MakeApp,
    claude: AnthropicStandIn,
    provider: str,
    settings: dict[str, str],
    path_end: str,
) -> None:
    app = make_app(
        LLM_PROVIDER=provider, ANTHROPIC_BASE_URL=claude.url, LLM_FULL_FAQ_TOKENS=0, **settings
    )
    stream = CollectingStream()
    reply = await app.engine.handle(
        IncomingMessage(
            key=ConversationKey("slack", "T1", "C1", "1.0"),
            message_id="m1",
            user_id="U1",
            text=QUESTION,
            is_direct=True,
            open_stream=StreamOpener(lambda: _opened(stream)),
        )
    )
    [request] = claude.requests
    assert request.path.endswith(path_end)
    assert stream.appended and reply.text.startswith("".join(stream.appended))
    assert stream.final == reply and not stream.replaced
    assert reply.source_ids == ["reset-password"]


async def _opened(stream: CollectingStream) -> CollectingStream:
    return stream
