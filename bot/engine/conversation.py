"""The conversation engine: one entry point, `handle(IncomingMessage) -> Reply`, for every platform.

It decides whether to speak, answers from the FAQ, asks when two entries are equally likely,
escalates to a ticket, relays between customers and agents, and keeps state in Redis. State
failures are survivable: without Redis the customer still gets an answer (a rare double answer
beats silence), and a ticket still reaches the desk: it is held in process and stored when Redis
answers again (bot/state/outbox.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import TypeVar

from redis.exceptions import RedisError

from bot.admin.commands import AdminCommands, attached_command
from bot.answering.answerer import Answer, AnswerRequest
from bot.answering.streaming import ReplyStream
from bot.core import decisions
from bot.core.channels import Desk, OutputChannel, Relay, ScopedChannel
from bot.core.decisions import Decision, Step
from bot.core.hours import BusinessHours
from bot.core.intents import REACTION, UNHELPFUL
from bot.core.language import detect_language, phrase
from bot.core.models import (
    Action,
    ConversationKey,
    DeskClick,
    DeskOp,
    EscalationReason,
    IncomingMessage,
    MessageKind,
    Reply,
    Ticket,
    TicketStatus,
)
from bot.core.policy import DESK_REFUSAL, ChannelAllowList, DeskPolicy, SupportForums
from bot.core.routing import EXTRACTIVE, Route, RouteKind, Router
from bot.core.state import ConversationState, StateField
from bot.desk.events import TicketEvent, TicketEvents
from bot.knowledge.drafts import DraftStore
from bot.knowledge.gaps import GAP_NO_ANSWER, GAP_NOT_HELPFUL, GapLog
from bot.runtime.logs import conversation_context, set_ticket
from bot.runtime.metrics import PLATFORM_SEND, Metrics
from bot.safety.redact import Redactor
from bot.safety.sanitize import clean_text, defuse_mentions, shorten, strip_mentions
from bot.state.limits import UNCOUNTED, Limits, Verdict
from bot.state.outbox import TicketOutbox, provisional_id
from bot.state.privacy import Privacy
from bot.state.store import Loaded, Store, begin_unit, end_unit
from bot.state.tickets import TicketError, TicketStore
from faq.index import FaqIndex, Hit
from faq.models import FaqEntry
from faq.repository import FaqRepository

log = logging.getLogger(__name__)
# The sender's role in the message being handled ("customer" or "other"), once it is known.
_speaker: ContextVar[str | None] = ContextVar("speaker", default=None)
T = TypeVar("T")

# Who resolves a ticket when the customer accepts an answer the bot offered after a reload.
AUTO_AGENT = "faqbot (auto)"
# An agent's reply relayed to the customer: a ticket change the webhook events do not name.
AGENT_REPLIED = "ticket.agent_replied"
# A conversation's title is its first question cut to this many characters (Slack shows about
# this much of a thread's title in the history list).
TITLE_CHARS = 60
# What a conversation forgets when its ticket is resolved: the next miss or "not helpful" starts
# a new count toward a new ticket, and a typed "that's wrong" rates no answer from before it.
_TICKET_FIELDS = (
    StateField.TICKET,
    StateField.NEGATIVES,
    StateField.ANSWERED,
    StateField.CHOICES,
)


@dataclass
class BudgetHold:
    """Whether an LLM request fits the budget, and the answer whose cost settles the hold."""

    allowed: bool
    answer: Answer | None = None


@dataclass(frozen=True)
class EngineConfig:
    negative_feedback_limit: int
    max_message_chars: int
    business_hours: BusinessHours | None = None
    # LLM answers go out as they are written where the platform can show that (LLM_STREAMING).
    streaming: bool = True


class ConversationEngine:
    def __init__(
        self,
        *,
        faq: FaqRepository,
        router: Router,
        store: Store,
        tickets: TicketStore,
        metrics: Metrics,
        admin: AdminCommands,
        limits: Limits,
        privacy: Privacy,
        allow_list: ChannelAllowList,
        forums: SupportForums,
        config: EngineConfig,
        gaps: GapLog,
        drafts: DraftStore,
        desk_policy: DeskPolicy,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.faq = faq
        self.router = router
        self.store = store
        self.tickets = tickets
        self.metrics = metrics
        self.admin = admin
        self.limits = limits
        self.privacy = privacy
        self.allow_list = allow_list
        self.forums = forums
        self.config = config
        self.clock = clock
        self.gaps = gaps
        self.drafts = drafts
        self.desk_policy = desk_policy
        self._channels: dict[str, OutputChannel] = {}
        self.desk: Desk | None = None
        # Set by the composition root when processes share Redis (bot/desk/relay.py).
        self.relay: Relay | None = None
        self.ticket_events = TicketEvents()
        self.outbox = TicketOutbox(tickets, store)

    # Adapters are built after the engine (they need it), so they plug their outbound side in.
    def register_channel(self, channel: OutputChannel) -> None:
        self._channels[channel.platform] = channel

    def set_desk(self, desk: Desk) -> None:
        self.desk = desk

    def set_relay(self, relay: Relay) -> None:
        self.relay = relay

    def reaches(self, key: ConversationKey) -> bool:
        """Can this process speak in that conversation (is its platform's adapter running)?"""
        channel = self._channels.get(key.platform)
        if channel is None:
            return False
        return channel.reaches(key) if isinstance(channel, ScopedChannel) else True

    async def send(self, key: ConversationKey, reply: Reply) -> None:
        """Say something in a conversation without being asked (agent replies, resolutions)."""
        channel = self._channels.get(key.platform)
        if channel is None or not self.reaches(key):
            log.warning(
                "no output channel for %s; message to %s dropped", key.platform, key.redis_key
            )
            return
        with self.metrics.timed(PLATFORM_SEND):
            await channel.send(key, reply)

    async def handle(self, message: IncomingMessage) -> Reply:
        """Decide on one message: its conversation is loaded in one round trip, and the writes
        the decision makes are committed together at the end (bot/state/store.py)."""
        speaker = _speaker.set(None)
        unit, token = begin_unit()
        try:
            with conversation_context(message.key.redis_key):
                reply = await self._handle(message)
        finally:
            end_unit(token)
            unit.closed = True
            _speaker.reset(speaker)
        # Only a decision that completed is committed, in one step. Redis gone, it loses this
        # message's history and flags, never half of them; a write Redis refuses (a key of the
        # wrong type) loses only itself, as in a MULTI. Either way the reply still goes out.
        try:
            await unit.commit(self.store.redis)
        except RedisError as exc:
            log.error("this message's changes were not stored: %s", type(exc).__name__)
            self.metrics.errors.labels("commit").inc()
        return reply

    async def _handle(self, message: IncomingMessage) -> Reply:
        if message.kind is MessageKind.COMMAND:
            return await self.admin.run(message)
        if self.outbox:
            await self.flush_outbox()
        text = clean_text(message.text)
        loaded = await self._load(message)
        desk_ticket = loaded.desk_ticket
        if not loaded.addressed:
            return Reply()
        if not loaded.first_delivery:
            log.info("duplicate delivery of %s ignored", message.message_id)
            return Reply()
        if loaded.new_customer:
            # Settled by the load: erasing this person must find the conversation, whatever the
            # bot then says (or does not, to a message refused as too long).
            await self._soft(self.privacy.took_part(message), None)
        if desk_ticket is not None:
            set_ticket(desk_ticket)
            return await self._agent_message(desk_ticket, message, text)
        # Before the active-ticket branch, which would pass the click on to the agents.
        if message.kind is MessageKind.CONFIRM:
            return await self._confirm(message)
        command = attached_command(text) if message.attachments else None
        if command is not None:
            # `reload` with a file shared in a message (slash commands carry no files on Slack).
            return await self.admin.run(replace(message, kind=MessageKind.COMMAND, text=command))
        state = await self._soft(self.store.state(message.key), ConversationState())
        if self.forums.includes(message) and not state.forum:
            # Remembered for when the post's ticket is resolved, with no message at hand.
            await self._soft(self.store.set_state(message.key, {StateField.FORUM: True}), None)
            state = replace(state, forum=True)
        set_ticket(state.ticket)
        if state.customer:
            _speaker.set("customer" if state.customer == message.user_id else "other")
        language = detect_language(text, default=state.language or "en")
        self.metrics.messages.labels(message.key.platform).inc()
        limited = await self._rate_limited(message, language)
        if limited is not None:
            return limited
        active = await self._active_ticket(message.key, state)
        state = replace(state, ticket=active)
        held = self.outbox.held_for(message.key)
        # Read once: a reload may swap the index while this message waits on Redis.
        entries = self.faq.index.by_id
        step = decisions.next_step(
            message.kind,
            text,
            state,
            held=held is not None,
            max_chars=self.config.max_message_chars,
            entries=entries,
        )
        if step.wrote:
            language_set = {StateField.LANGUAGE: language}
            await self._soft(self.store.set_state(message.key, language_set), None)
        match step.step:
            case Step.TOO_LONG:
                return self._too_long(text, language)
            case Step.EMPTY:
                return Reply(phrase("empty", language))
            case Step.TO_AGENTS if active is not None:
                return await self._to_agents(active, message, text)
            case Step.TO_HELD_TICKET if held is not None:
                return await self._to_held_ticket(held, message, text)
            case Step.FEEDBACK:
                # A post whose ticket is still with the agents is not settled by a Helpful on
                # an earlier answer.
                settles = state.forum and not state.ticket
                return await self._feedback(message, language, state, in_forum=settles)
            case Step.PERSON:
                return await self._escalate(message, "", language, step.reason)
            case Step.PICK:
                entry = entries[step.entry_id]
                return await self._reply_with_entry(message, entry, language, confidence=1.0)
            case Step.NO_SUCH_PICK:
                return await self._say(message, text, Reply(phrase("no_such_pick", language)))
        return await self._question(message, text, language, state)

    async def _load(self, message: IncomingMessage) -> Loaded:
        """Chatter the bot is not part of is dropped before the dedupe write, which would
        otherwise cost a Redis key per message in every busy channel it can read. When Redis is
        down, the message alone decides."""
        in_forum = self.forums.includes(message)
        # A listed support forum is a place to answer even outside a channel allow-list.
        allowed = in_forum or self.allow_list.allows(message)
        called = message.is_direct or message.mentioned or in_forum
        loading = self.store.load(
            message.key,
            desk_name=self.tickets.desk_name(message.key),
            seen_name=self.privacy.seen_name(message.key.platform, message.user_id),
            user_id=message.user_id,
            event_id=message.message_id,
            allowed=allowed,
            called=called,
        )
        return await self._soft(loading, Loaded(None, allowed and called, True))

    async def _rate_limited(self, message: IncomingMessage, language: str) -> Reply | None:
        """None when the customer may go on; else a one-off notice, then silence, per minute.

        When Redis is down the limit is not enforced: answering beats silence.
        """
        verdict, scope = await self._soft(
            self.limits.rate.check(message.key, message.user_id), (Verdict.ALLOWED, None)
        )
        if verdict is Verdict.ALLOWED:
            return None
        self.metrics.rate_limited.labels(message.key.platform, scope or "").inc()
        if verdict is Verdict.SILENT:
            return Reply()
        log.info("%s rate limit reached by %s", scope, message.user_id)
        return Reply(phrase("slow_down", language))

    @asynccontextmanager
    async def _llm_budget(self, key: ConversationKey) -> AsyncIterator[BudgetHold]:
        """Hold one request's estimated cost against the channel's budget while it is answered,
        then count what it really cost. When Redis is down the budget is not enforced."""
        reservation = await self._soft(self.limits.budget.reserve(key), UNCOUNTED)
        hold = BudgetHold(allowed=reservation is not None)
        try:
            yield hold
        finally:
            if reservation is not None:
                usage = hold.answer.usage if hold.answer is not None else None
                cost = usage.cost_usd if usage is not None else 0.0
                await self._soft(self.limits.budget.settle(reservation, cost), None)

    async def route_for(
        self, key: ConversationKey, index: FaqIndex, text: str, language: str
    ) -> Route:
        """A decision for a conversation outside a message of its own (an offer after a
        reload), held to the conversation's LLM budget and counted like any other answer."""
        async with self._llm_budget(key) as budget:
            route = await self.router.route(index, text, language, [], llm_allowed=budget.allowed)
            budget.answer = route.answer
        if route.answer is not None:
            await self._record_usage(key, route.answer)
        return route

    async def _question(
        self, message: IncomingMessage, text: str, language: str, state: ConversationState
    ) -> Reply:
        history = await self._soft(self.store.history(message.key), [])
        speaker = await self._role(message)
        stream = (
            ReplyStream(message.open_stream)
            if self.config.streaming and message.open_stream is not None
            else None
        )
        async with self._llm_budget(message.key) as budget:
            route = await self.router.route(
                self.faq.index,
                text,
                language,
                history,
                llm_allowed=budget.allowed,
                after_answer=state.after_answer,
                speaker=speaker,
                writing=lambda: self._working(message),
                stream=stream.release if stream is not None else None,
            )
            budget.answer = route.answer
        for stage, seconds in route.timings.items():
            self.metrics.latency.labels(stage).observe(seconds)
        if not budget.allowed and route.answer is not None:
            self.metrics.budget_limited.labels(message.key.platform).inc()
        reply = await self._act(message, text, language, route, state)
        # A rejection with no answer before it is the conversation's first words on its problem.
        talk = route.kind is RouteKind.SMALL_TALK and route.talk != UNHELPFUL
        if message.named and not talk and not state.titled:
            await self._soft(self.store.set_state(message.key, {StateField.TITLED: True}), None)
            reply = replace(reply, title=conversation_title(text))
        if stream is not None:
            # What was streamed stands only as the model's own answer; a hand-off, or the
            # extractive answer after a failure mid-stream, replaces it.
            answer = route.answer
            stands = (
                route.kind is RouteKind.ANSWER
                and answer is not None
                and answer.fallback_reason is None
            )
            await stream.close(reply, stands=stands)
        return reply

    async def _act(
        self,
        message: IncomingMessage,
        text: str,
        language: str,
        route: Route,
        state: ConversationState,
    ) -> Reply:
        if route.answer is not None:
            # The model may have been asked, whatever came of it (a reaction read after it).
            await self._record_usage(message.key, route.answer)
        if route.kind is RouteKind.SMALL_TALK and route.talk == UNHELPFUL:
            return await self._unhelpful(message, text, language, route, state)
        if route.kind is RouteKind.SMALL_TALK:
            if route.talk == REACTION:
                self.metrics.reactions.labels(message.key.platform).inc()
            return await self._apply(
                message, text, decisions.small_talk(route.talk or "", language)
            )
        if route.kind is RouteKind.HUMAN and not route.unanswered:
            return await self._escalate(message, text, language, EscalationReason.ASKED)
        if route.announced:
            self.metrics.invitations.labels(message.key.platform).inc()
            by_customer = await self._role(message) == "customer"
            invited = decisions.invitation(
                language, route.confidence, route.suggestions, by_customer=by_customer
            )
            return await self._apply(message, text, invited)
        await self._soft(self.store.count("questions"), None)
        if route.kind is RouteKind.CLARIFY:
            clarifying = decisions.clarification(list(route.hits), language)
            return await self._apply(message, text, clarifying)
        if route.kind is not RouteKind.ANSWER or route.answer is None:
            await self._soft(self.gaps.record(message.key, text, GAP_NO_ANSWER), None)
            return await self._missed(message, text, language, route)
        answer = route.answer
        return await self._answered(
            message, text, answer.text, answer.sources, route.confidence, language, answer.mode
        )

    async def _missed(
        self, message: IncomingMessage, text: str, language: str, route: Route
    ) -> Reply:
        """The FAQ has no answer. The first time, say so and offer a person (a button, or typing
        yes); the customer may rephrase instead. A second miss in a row opens a ticket: twice
        unanswered, they need a person more than another try. Another member of a shared thread
        gets the offer too, but their misses are not the customer's run, nor do they replace
        the answer the customer may still rate."""
        self.metrics.unanswered.labels(message.key.platform).inc()
        by_customer = await self._role(message) == "customer"
        # Counted at once, not with the commit: two misses arriving together must see 1 and 2.
        missed = (
            await self._soft(self.store.bump_state(message.key, StateField.MISSED), 1)
            if by_customer
            else 1
        )
        # A miss that reads as asking for a person needs no offer first.
        if missed > 1 or route.kind is RouteKind.HUMAN:
            return await self._escalate(message, text, language, EscalationReason.NO_ANSWER)
        missing = decisions.no_answer(
            language, route.confidence, route.suggestions, by_customer=by_customer
        )
        return await self._apply(message, text, missing)

    async def _reply_with_entry(
        self, message: IncomingMessage, entry: FaqEntry, language: str, confidence: float
    ) -> Reply:
        """The customer picked an entry; answer it the same way as a question would be."""
        hit = Hit(entry, confidence)
        history = await self._soft(self.store.history(message.key), [])
        speaker = await self._role(message)
        async with self._llm_budget(message.key) as budget:
            if not budget.allowed:
                self.metrics.budget_limited.labels(message.key.platform).inc()
            answerer = self.router.answerer_for(budget.allowed)
            if answerer.mode != EXTRACTIVE:
                await self._working(message)
            answer = await answerer.answer(
                AnswerRequest(entry.question, language, [hit], history, self.faq.index, speaker)
            )
            budget.answer = answer
        await self._record_usage(message.key, answer)
        text, sources = (
            (answer.text, answer.sources) if answer.answered else (entry.answer, (entry.id,))
        )
        return await self._answered(
            message, entry.question, text, sources, confidence, language, answer.mode
        )

    async def _answered(
        self,
        message: IncomingMessage,
        question: str,
        text: str,
        source_ids: tuple[str, ...],
        confidence: float,
        language: str,
        mode: str,
    ) -> Reply:
        # Another member of a shared thread asking is not what the customer's "that's wrong" rates.
        asked = question if await self._role(message) == "customer" else ""
        decided = decisions.answer(self.faq.index, asked, text, source_ids, confidence, language)
        self.metrics.outcome(message.key.platform, answered=True, mode=mode)
        return await self._apply(message, question, decided)

    async def _apply(self, message: IncomingMessage, text: str, decision: Decision) -> Reply:
        """Queue a decision's writes on the message's commit and say its reply."""
        key = message.key
        if decision.changes:
            await self._soft(self.store.set_state(key, decision.changes), None)
        if decision.cleared:
            await self._soft(self.store.clear_state(key, *decision.cleared), None)
        for counter in decision.counters:
            await self._soft(self.store.count(counter), None)
        if decision.answered_from:
            await self._soft(self.store.count_answered(decision.answered_from), None)
        return await self._say(message, text, decision.reply)

    async def _working(self, message: IncomingMessage) -> None:
        """Let the platform show the bot is at work: the LLM is about to write the answer."""
        if message.working is not None:
            await message.working()

    async def suggested_questions(self, limit: int) -> list[str]:
        """Questions to offer when a conversation starts: those of the FAQ entries most answered,
        then the FAQ's first entries (a new install has answered none)."""
        index = self.faq.index
        # Read beyond `limit`: entries removed from the FAQ keep their counts.
        answered = await self._soft(self.store.most_answered(limit * 3), [])
        chosen = [index.by_id[i] for i in answered if i in index.by_id]
        chosen += [entry for entry in index.entries if entry not in chosen]
        return [entry.question for entry in chosen[:limit]]

    def _too_long(self, text: str, language: str) -> Reply:
        limit = self.config.max_message_chars
        return Reply(phrase("too_long", language, length=len(text), limit=limit))

    async def _say(self, message: IncomingMessage, text: str, reply: Reply) -> Reply:
        turns = [(await self._role(message), text, message.user_id)] if text else []
        await self._soft(self.store.append(message.key, *turns, ("bot", reply.text, "")), None)
        if await self._soft(self.privacy.first_contact(message), False):
            notice = self.privacy.notice(detect_language(text))
            if notice:
                reply = replace(reply, text=f"{notice}\n\n{reply.text}")
        return reply

    async def _role(self, message: IncomingMessage) -> str:
        """In a shared thread, whoever spoke first is the customer; others are labelled apart.

        Asked several times per message (routing, history), it costs Redis at most once."""
        role = _speaker.get()
        if role is None:
            role = await self._soft(
                self.store.participant(message.key, message.user_id), "customer"
            )
            _speaker.set(role)
        return role

    async def _name(self, message: IncomingMessage) -> str:
        """The writer's display name ("" if the platform cannot say)."""
        if message.user_name or message.lookup_name is None:
            return message.user_name
        try:
            return await message.lookup_name()
        except Exception:
            log.exception("could not look up %s's name", message.user_id)
            return ""

    async def _feedback(
        self, message: IncomingMessage, language: str, state: ConversationState, *, in_forum: bool
    ) -> Reply:
        if message.text.strip() == "helpful":
            await self._count_feedback(message, "helpful")
            # Only the one who asked settles their question; a passer-by's thanks is counted.
            solved = in_forum and await self._role(message) == "customer"
            return Reply(phrase("feedback_thanks", language), solved=solved)
        # The question the FAQ answered, as "that's wrong" typed rates it; the customer's last
        # question when the conversation predates that field or the answer was not the FAQ's.
        rated = state.answered
        if not rated:
            history = await self._soft(self.store.history(message.key), [])
            rated = decisions.last_customer_question(history)
        return await self._not_helpful(message, language, rated)

    async def _unhelpful(
        self,
        message: IncomingMessage,
        text: str,
        language: str,
        route: Route,
        state: ConversationState,
    ) -> Reply:
        """ "that's wrong" typed. Said by the customer after an answer, it is a press of "Not
        helpful" on it. After a miss it is the second miss in a row, which hands the missed
        question to a person; with no answer before it ("it doesn't work" as a first message,
        or after a ticket), the FAQ has no answer to it, and a person is offered. From someone
        else in a shared thread ("same problem"), it rates and counts nothing."""
        if await self._role(message) != "customer":
            return await self._say(message, text, decisions.unhelpful(language))
        if state.answered and not state.missed:
            return await self._not_helpful(message, language, state.answered, typed=text)
        return await self._missed(message, text, language, route)

    async def _not_helpful(
        self, message: IncomingMessage, language: str, rated: str, typed: str = ""
    ) -> Reply:
        """`rated` did not help: a gap, and at the limit a ticket; `typed` is what the customer
        wrote to say so ("" for the button), kept in the history like any message."""
        await self._count_feedback(message, "not_helpful")
        await self._soft(self.gaps.record(message.key, rated, GAP_NOT_HELPFUL), None)
        negatives = await self._soft(self.store.bump_state(message.key, StateField.NEGATIVES), 1)
        if negatives >= self.config.negative_feedback_limit:
            return await self._escalate(message, typed, language, EscalationReason.FEEDBACK)
        sorry = decisions.unhelpful(language)
        return await self._say(message, typed, sorry) if typed else sorry

    async def _count_feedback(self, message: IncomingMessage, rating: str) -> None:
        self.metrics.feedback.labels(message.key.platform, rating).inc()
        await self._soft(self.store.count(f"feedback_{rating}"), None)

    async def _escalate(
        self, message: IncomingMessage, text: str, language: str, reason: EscalationReason
    ) -> Reply:
        state = await self._soft(self.store.state(message.key), ConversationState())
        held = self.outbox.held_for(message.key)
        existing = state.ticket or (held.id if held else None)
        if existing:
            return Reply(phrase("ticket_exists", language, ticket=existing), escalated=True)
        history = await self._soft(self.store.history(message.key), [])
        now = self.clock()
        new = decisions.new_ticket(
            message,
            text,
            history,
            user_name=await self._name(message),
            reason=reason,
            language=language,
            now=now,
        )
        try:
            opened = await self.tickets.open(new, self.store)
        except RedisError:
            ticket = await self._hold_ticket(new)
        else:
            if isinstance(opened, str):  # another message of this conversation opened it first
                return Reply(phrase("ticket_exists", language, ticket=opened), escalated=True)
            ticket = opened
            # Already committed with the ticket; said again so this message's view and its
            # queued writes (a miss counted earlier) agree with it.
            await self._soft(
                self.store.set_state(message.key, {StateField.TICKET: ticket.id}), None
            )
            await self._soft(
                self.store.clear_state(
                    message.key, StateField.MISSED, StateField.ANSWERED, StateField.CHOICES
                ),
                None,
            )
            set_ticket(ticket.id)
            log.info(
                "ticket %s opened for %s: %s", ticket.id, message.key.redis_key, reason.description
            )
            await self._soft(self.store.count("escalated"), None)
            ticket = await self._post_to_desk(ticket)
            self.ticket_events.emit(TicketEvent.OPENED, ticket)
        self.metrics.outcome(message.key.platform, answered=False, reason=reason)
        reply = decisions.ticket_opened(ticket, language, self.config.business_hours, now)
        return await self._say(message, text, reply)

    async def _hold_ticket(self, new: Ticket) -> Ticket:
        """Redis is down: the desk gets the ticket now, the store when Redis is back."""
        ticket = replace(new, id=provisional_id())
        log.error("could not store ticket %s for %s; holding it", ticket.id, ticket.key.redis_key)
        self.metrics.errors.labels("ticket_store").inc()
        if self.desk is not None:
            ref = await self._at_desk("post held", ticket, self.desk.post_ticket(ticket))
            ticket = replace(ticket, desk_ref=ref)
        self.outbox.hold(ticket)
        return ticket

    async def _to_held_ticket(self, held: Ticket, message: IncomingMessage, text: str) -> Reply:
        """Like `_to_agents`, for a ticket that waits for Redis: its desk thread still hears."""
        ticket = self.outbox.add_to_transcript(held.id, "customer", text, message.user_id)
        if self.desk is not None and ticket.desk_ref is not None:
            posting = self.desk.post_customer_message(ticket, defuse_mentions(text))
            await self._at_desk("pass a message to", ticket, posting)
        return Reply()

    async def flush_outbox(self) -> list[Ticket]:
        """Store the tickets held while Redis was down (also run periodically by `serve`), and
        give their customers the lasting id."""
        stored = await self.outbox.flush(self.desk)
        for provisional, ticket in stored:
            self.ticket_events.emit(TicketEvent.OPENED, ticket)
            said = phrase("ticket_stored", ticket.language, held=provisional, ticket=ticket.id)
            await self.send(ticket.key, Reply(said, escalated=True, ticket=ticket))
        return [ticket for _, ticket in stored]

    async def _post_to_desk(self, ticket: Ticket) -> Ticket:
        if self.desk is None:
            return ticket
        ref = await self._at_desk("post", ticket, self.desk.post_ticket(ticket))
        if ref is None:
            return ticket
        try:
            return await self.tickets.attach_desk(ticket, ref)
        except Exception:
            # The card is posted; the ticket stays stored without its place at the desk.
            log.exception("could not note where ticket %s is at the desk", ticket.id)
            self.metrics.errors.labels("redis").inc()
            return ticket

    async def _active_ticket(self, key: ConversationKey, state: ConversationState) -> str | None:
        """The unresolved ticket a person is handling in this conversation, if any."""
        ticket_id = state.ticket
        if not ticket_id:
            return None
        try:
            ticket = await self.tickets.get(ticket_id)
        except (TicketError, RedisError):
            ticket = None
        if ticket is not None and ticket.status is not TicketStatus.RESOLVED:
            return ticket_id
        # Resolved elsewhere (another replica, the CLI) without clearing this conversation's flag:
        # cleared at once, since opening a new ticket checks the flag in Redis.
        await self._soft(self.store.clear_state(key, *_TICKET_FIELDS, at_once=True), None)
        return None

    async def _to_agents(self, ticket_id: str, message: IncomingMessage, text: str) -> Reply:
        """A person handles this conversation: pass the customer's words on and stay quiet."""
        role = await self._role(message)
        ticket = await self.tickets.add_to_transcript(ticket_id, role, text, message.user_id)
        await self._soft(self.store.append(message.key, (role, text, message.user_id)), None)
        await self._soft(self.privacy.took_part(message), None)
        if self.desk is not None:
            posting = self.desk.post_customer_message(ticket, defuse_mentions(text))
            await self._at_desk("pass a message to", ticket, posting)
        return Reply()

    async def _agent_message(self, ticket_id: str, message: IncomingMessage, text: str) -> Reply:
        """An agent wrote in a ticket's desk thread: relay it to the customer, wherever they are."""
        if not text:
            return Reply()
        agent = await self._name(message) or message.user_id
        refused = await self.agent_reply(ticket_id, agent, text)
        return Reply(refused or "")

    async def agent_reply(
        self, ticket_id: str, agent: str, text: str, *, desk_note: bool = False
    ) -> str | None:
        """Relay an agent's words to the ticket's customer, wherever they are, claiming an open
        ticket for the agent; why it was not sent, or None. `desk_note`: the words were written
        outside the desk thread (the dashboard), so the desk is told them too."""
        limit = self.config.max_message_chars
        if len(text) > limit:
            return (
                f"This message is too long ({len(text):,} characters; the limit is {limit:,}); "
                "it was not sent to the customer."
            )
        ticket = await self.tickets.get(ticket_id)
        if ticket.status is TicketStatus.RESOLVED:
            return f"{ticket.id} is resolved; this message was not sent to the customer."
        if ticket.status is TicketStatus.OPEN:
            ticket = await self.claim(ticket.id, agent)
        await self.tickets.add_to_transcript(ticket.id, "agent", text)
        await self._soft(self.store.append(ticket.key, ("agent", text, "")), None)
        said = Reply(f"{defuse_mentions(agent)}: {defuse_mentions(text)}")
        await self._tell(AGENT_REPLIED, ticket, said, desk=False)
        if desk_note:
            await self._desk_note(ticket, f"{ticket.id}: {said.text}")
        return None

    async def desk_click(self, click: DeskClick) -> str:
        """Claim or Resolve pressed on a desk card: what to tell the one who clicked, privately.

        Only the desk's agents (bot/core/policy.py) change anything; anyone else is told so."""
        if not self.desk_policy.allows(click):
            log.warning(
                "%s of %s by %s on %s refused: not a desk agent (channel %s)",
                click.op,
                click.ticket_id,
                click.user_id,
                click.platform,
                click.channel_id,
            )
            return DESK_REFUSAL
        agent = click.user_name or click.user_id
        try:
            if click.op is DeskOp.CLAIM:
                ticket = await self.claim(click.ticket_id, agent)
                return f"You claimed {ticket.id}; reply in its thread to reach the customer."
            ticket = await self.resolve(click.ticket_id, agent)
            return f"{ticket.id} is resolved; the customer has been told."
        except TicketError as exc:
            return str(exc)

    async def claim(self, ticket_id: str, agent: str) -> Ticket:
        ticket = await self.tickets.claim(ticket_id, agent)
        log.info("ticket %s claimed by %s", ticket.id, agent)
        self.ticket_events.emit(TicketEvent.CLAIMED, ticket)
        await self._tell(TicketEvent.CLAIMED, ticket, None, desk=True)
        return ticket

    async def resolve(self, ticket_id: str, agent: str) -> Ticket:
        ticket = await self.tickets.resolve(ticket_id, agent)
        log.info("ticket %s resolved by %s", ticket.id, agent)
        self.ticket_events.emit(TicketEvent.RESOLVED, ticket)
        await self._soft(
            self.store.clear_state(ticket.key, *_TICKET_FIELDS, StateField.OFFER), None
        )
        state = await self._soft(self.store.state(ticket.key), ConversationState())
        said = Reply(
            phrase("ticket_resolved", ticket.language, ticket=ticket.id), solved=state.forum
        )
        await self._tell(TicketEvent.RESOLVED, ticket, said, desk=True)
        draft = await self._soft(self.drafts.create_from_ticket(ticket, agent), None)
        if draft is not None:
            log.info("draft %s made from ticket %s", draft.id, ticket.id)
        return ticket

    async def _tell(self, event: str, ticket: Ticket, reply: Reply | None, *, desk: bool) -> None:
        """Tell a ticket's customer (`reply`) and, with `desk`, its desk card about a change.

        What this process cannot reach (the customer's platform, or any desk) goes through the
        relay to the running process that can, which delivers it once (bot/desk/relay.py)."""
        relayed: Reply | None = None
        if reply is not None:
            if self.relay is None or self.reaches(ticket.key):
                await self.send(ticket.key, reply)
            else:
                relayed = reply
        desk_elsewhere = (
            desk and self.relay is not None and self.desk is None and ticket.desk_ref is not None
        )
        if desk and not desk_elsewhere:
            await self.desk_changed(ticket)
        if self.relay is not None and (relayed is not None or desk_elsewhere):
            await self.relay.publish(event, ticket, relayed, desk=desk_elsewhere)

    async def offer(self, ticket: Ticket, route: Route, index: FaqIndex) -> None:
        """Offer a waiting ticket's customer the answer a new FAQ version has for their question."""
        if route.answer is None:
            return
        language = ticket.language
        text = "\n\n".join(
            [
                phrase("offer_intro", language, ticket=ticket.id),
                route.answer.text,
                phrase("offer_question", language),
            ]
        )
        reply = Reply(
            text,
            sources=decisions.sources(index, route.answer.sources),
            confidence=route.confidence,
            actions=(
                Action(MessageKind.CONFIRM, f"yes:{ticket.id}", phrase("yes", language)),
                Action(MessageKind.CONFIRM, f"no:{ticket.id}", phrase("no", language)),
            ),
        )
        await self.tickets.add_to_transcript(ticket.id, "bot", text)
        await self._soft(self.store.set_state(ticket.key, {StateField.OFFER: ticket.id}), None)
        await self._soft(self.store.append(ticket.key, ("bot", text, "")), None)
        await self.send(ticket.key, reply)
        log.info("offered %s an answer from %s", ticket.id, ",".join(route.answer.sources))

    async def _confirm(self, message: IncomingMessage) -> Reply:
        """Yes or No to an offered answer: Yes resolves the ticket, No leaves it with the agents."""
        answer, _, ticket_id = message.text.partition(":")
        state = await self._soft(self.store.state(message.key), ConversationState())
        language = state.language or "en"
        try:
            ticket = await self.tickets.get(ticket_id)
        except TicketError:
            return Reply(phrase("offer_closed", language))
        language = ticket.language
        refused = decisions.offer_refusal(answer, ticket, message, offered=state.offer)
        if refused is not None:
            return Reply(phrase(refused, language))
        await self._soft(self.store.clear_state(message.key, StateField.OFFER), None)
        said = phrase(answer, language)
        await self.tickets.add_to_transcript(ticket.id, "customer", said, message.user_id)
        if answer == "no":
            await self._soft(self.store.count("offers_declined"), None)
            await self._soft(self.gaps.record(message.key, ticket.question, GAP_NOT_HELPFUL), None)
            await self._desk_note(ticket, offer_note(ticket, accepted=False))
            return await self._say(
                message, "", Reply(phrase("auto_declined", language, ticket=ticket.id))
            )
        try:
            ticket = await self.tickets.resolve(ticket.id, AUTO_AGENT)
        except TicketError:
            return Reply(phrase("offer_closed", language))
        log.info("ticket %s resolved by the customer accepting an offered answer", ticket.id)
        self.ticket_events.emit(TicketEvent.RESOLVED, ticket)
        await self._soft(self.store.clear_state(ticket.key, *_TICKET_FIELDS), None)
        # The offered answer is the one a typed "that's wrong" now rates.
        answered = {StateField.ANSWERED: ticket.question}
        await self._soft(self.store.set_state(ticket.key, answered), None)
        await self._soft(self.store.count("offers_accepted"), None)
        await self._desk_note(ticket, offer_note(ticket, accepted=True))
        await self.desk_changed(ticket)
        return await self._say(
            message,
            "",
            Reply(phrase("auto_resolved", language, ticket=ticket.id), solved=state.forum),
        )

    async def _desk_note(self, ticket: Ticket, text: str) -> None:
        """Tell the ticket's desk thread what the customer answered to an offered answer."""
        if self.desk is not None and ticket.desk_ref is not None:
            await self._at_desk("post a note to", ticket, self.desk.post_note(ticket, text))

    async def desk_changed(self, ticket: Ticket) -> None:
        """Update the ticket's card in this process's desk; a failure is logged and counted."""
        if self.desk is not None and ticket.desk_ref is not None:
            await self._at_desk("update", ticket, self.desk.ticket_changed(ticket))

    async def _at_desk(self, doing: str, ticket: Ticket, operation: Awaitable[T]) -> T | None:
        """Run one desk operation; a failure is logged, counted and None, never passed on: the
        ticket is stored (or held) either way, and the desk can list it."""
        try:
            return await operation
        except Exception:
            log.exception("could not %s ticket %s at the desk", doing, ticket.id)
            self.metrics.errors.labels("desk").inc()
            return None

    async def _record_usage(self, key: ConversationKey, answer: Answer) -> None:
        if answer.fallback_reason:
            self.metrics.errors.labels("llm").inc()
        usage = answer.usage
        if usage is None:
            return
        for kind, value in usage.as_counts().items():
            if kind != "cost_usd":
                self.metrics.llm_tokens.labels(usage.model, kind.removesuffix("_tokens")).inc(value)
        self.metrics.llm_cost.labels(usage.model).inc(usage.cost_usd)
        await self._soft(self.store.add_usage(key, usage.as_counts()), None)

    async def _soft(self, operation: Awaitable[T], default: T) -> T:
        """Run a state operation that the answer can do without when Redis is unavailable."""
        try:
            return await operation
        except RedisError as exc:
            log.warning("state unavailable (%s); carrying on without it", type(exc).__name__)
            self.metrics.errors.labels("redis").inc()
            return default


def offer_note(ticket: Ticket, accepted: bool) -> str:
    """The desk's line about a customer's Yes or No; notes stand alone, outside the card thread."""
    who = defuse_mentions(ticket.user_name or ticket.user_id)
    if accepted:
        return (
            f"{ticket.id}: {who} answered Yes to the answer the bot offered from the updated FAQ; "
            "the ticket is resolved automatically."
        )
    return (
        f"{ticket.id}: {who} answered No to the answer the bot offered from the updated FAQ; "
        "the ticket stays with you."
    )


def conversation_title(question: str) -> str:
    """The question as a one-line title: personal data redacted, mentions removed, cut at a
    word to `TITLE_CHARS`."""
    return shorten(strip_mentions(Redactor().redact(question)), TITLE_CHARS)


__all__ = ["ConversationEngine", "EngineConfig", "TicketError"]
