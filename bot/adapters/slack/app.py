"""The bolt ``AsyncApp``: slash commands, buttons, the answer modal and the App Home tab.

Every listener acknowledges Slack first (inside its 3-second deadline), hands the engine call
to a background task and returns, so bolt answers the HTTP request (or Socket Mode envelope) at
once. (bolt's own background mode, ``process_before_response=False``, notices the ack by polling
every 10 ms; returning from the listener is immediate.) In HTTP mode the endpoint even answers
slash commands and interactions before bolt runs (see :mod:`bot.adapters.slack.runner`). The
tasks take turns after the acks in progress (:class:`~bot.adapters.ack_first.AckFirst`), so a
burst of clicks is acknowledged before it is answered. A button that opens a modal calls
views.open before any engine work and without waiting for a turn (in HTTP mode, bolt itself
runs once no ack is in progress, at most 0.5 s later), as its ``trigger_id`` expires 3 seconds
after the click. Refusals (:class:`QuizError`, usage errors) are shown to the
user ephemerally. No quiz rule lives here.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.ack_first import AckFirst
from bot.adapters.slack import blocks, interviews
from bot.adapters.slack.bolt_requests import MalformedRequest
from bot.adapters.slack.daily import is_daily, run_daily_admin
from bot.adapters.slack.disputes import is_dispute_admin, run_dispute_admin
from bot.adapters.slack.logs import bolt_logger
from bot.adapters.slack.oauth import SlackWorkspaces
from bot.adapters.slack.outbox import SlackOutbox, make_client
from bot.adapters.slack.parsing import (
    UsageError,
    parse_admin,
    parse_button_value,
    parse_leaderboard,
    parse_quiz,
    parse_stats,
)
from bot.adapters.slack.payloads import (
    PLATFORM,
    PayloadError,
    command_identity,
    event_name,
    event_team,
    interaction_channel,
    interaction_identity,
    text_field,
    view_value,
)
from bot.adapters.slack.replies import (
    Reply,
    action_reply,
    command_reply,
    submission_reply,
)
from bot.adapters.wording import CLOSED_NOT_SHOWN
from bot.config import ConfigError, Settings
from bot.engine.engine import QuizEngine
from bot.engine.errors import QuizError, RoundNotFoundError
from bot.engine.model import Channel, Player, Team
from bot.logging_setup import log_event
from storage.database import Database

__all__ = ["SlackQuiz", "arrival_context", "create_app", "parse_admin_ids"]

log = logging.getLogger(__name__)

Body = dict[str, Any]
Work = Callable[[Body, Reply], Awaitable[None]]
Listener = Callable[..., Awaitable[None]]

ADAPTER = "slack"
_ARRIVED = "quizbot_arrived"


def arrival_context() -> dict[str, Any]:
    """The bolt request context that stamps a request's arrival, for its event line."""
    return {_ARRIVED: time.monotonic()}


BROKEN_BUTTON = "That button is not valid (anymore); start a new question with /quiz."
NOT_ADMIN = "Only workspace admins and owners (or Quizbot admins) can use /quiz-admin."
SOMETHING_WRONG = "Sorry, something went wrong on my side. Please try again."
YOU = "you"  # App Home name of a never-played user whose name users.info does not give
NAME_CACHE_SIZE = 1000
# Button values whose listener opens a modal first: "Answer in my own words", dispute, report.
_OPENS_MODAL = re.compile(
    rf"^(quiz:[0-9]+:open|dispute:[0-9]+|report:[0-9]+|{interviews.OPENS_MODAL})$"
)


def parse_admin_ids(raw: str) -> frozenset[str]:
    """``SLACK_ADMIN_USER_IDS``: comma-separated Slack user ids."""
    return frozenset(part.strip() for part in raw.split(",") if part.strip())


class SlackQuiz:
    """The Quizbot Slack app: the bolt app, its Web API client and its listeners."""

    def __init__(
        self,
        engine: QuizEngine,
        client: AsyncWebClient,
        *,
        signing_secret: str,
        admins: frozenset[str],
        workspaces: SlackWorkspaces | None = None,
    ) -> None:
        self.engine = engine
        self.client = client
        self.signing_secret = signing_secret
        self.outbox = SlackOutbox(client)
        self.admins = admins
        self.app = AsyncApp(
            **(workspaces.bolt_options() if workspaces else {}),  # OAuth: a token per workspace
            client=client,
            signing_secret=signing_secret,
            process_before_response=True,  # listeners return right after ack()
            name="quizbot",
            logger=bolt_logger(),  # bolt's loggers copy its level: nothing below WARNING
            # Each middleware costs every request some work before its ack. Quizbot listens to
            # no message events (nothing of its own to ignore) and has no workflow functions.
            ignoring_self_events_enabled=False,
            attaching_function_token_enabled=False,
        )
        self._work: dict[asyncio.Task[Any], str] = {}  # in-flight listener -> its outcome
        self.post_ack = AckFirst()  # the work after the acks waits for the acks in progress
        self._names: OrderedDict[tuple[str, str], str] = OrderedDict()  # users.info cache
        self._register()

    # -- background work and the event log -------------------------------------------------

    def _in_background(
        self,
        context: Mapping[str, Any],
        body: Body,
        slot: contextlib.AbstractAsyncContextManager[Any],
        work: Callable[[], Awaitable[None]],
    ) -> None:
        """Run ``work`` after the ack in a task of its own, holding ``slot``; the task counts as
        in-flight work (see :meth:`drain`) and logs the request's event line when done."""

        async def run() -> None:
            with self._tracked(context, body):
                async with slot:
                    await work()

        self._track(asyncio.create_task(run()))

    def dispatch_acknowledged(self, request: Callable[[], AsyncBoltRequest]) -> None:
        """Run bolt, in the background, on a request whose HTTP response has been sent already
        (by the HTTP endpoint: an empty 200, which is what every Quizbot listener acknowledges
        slash commands, clicks and modal submissions with). ``request`` builds (parses) the
        bolt request, which is left for the background too; one it cannot read is dropped
        (:class:`MalformedRequest`, one log line)."""

        async def dispatch() -> None:
            await self.post_ack.after_acks()  # parsing and matching are work after the ack too
            try:
                response = await self.app.async_dispatch(request())
            except MalformedRequest as exc:
                log.warning("dropped an acknowledged Slack request: %s", exc)
                return
            except Exception:
                log.exception("bolt failed on an acknowledged request")
                return
            if response.status != 200:
                log.warning(
                    "bolt refused an acknowledged request: %s %s",
                    response.status,
                    response.body[:200],
                )

        self._track(asyncio.create_task(dispatch()))

    def _track(self, task: asyncio.Task[None]) -> None:
        """Count ``task`` as in-flight work until it is done (see :meth:`drain`)."""
        self._work[task] = "ok"
        task.add_done_callback(self._forget)  # also when cancelled before it ran

    def _forget(self, task: asyncio.Task[Any]) -> None:
        self._work.pop(task, None)

    @contextlib.contextmanager
    def _tracked(self, context: Mapping[str, Any], body: Body) -> Iterator[None]:
        """Log the current task's one event line when it ends: team, command / action / view,
        duration and outcome (set by :meth:`_outcome`).

        The duration runs from the request's arrival (stamped into the request's context by
        the HTTP endpoint, see :func:`arrival_context`; in Socket Mode from the start of the
        work) to the end of the work done after ``ack()``.
        """
        task = asyncio.current_task()
        arrived = context.get(_ARRIVED)
        started = arrived if isinstance(arrived, float) else time.monotonic()
        try:
            yield
        except asyncio.CancelledError:  # a shutdown cut the work short
            self._outcome("cancelled")
            raise
        except BaseException:
            self._outcome("error")
            raise
        finally:
            outcome = self._work.get(task, "ok") if task is not None else "ok"
            log_event(
                ADAPTER,
                event_team(body) or None,
                event_name(body),
                (time.monotonic() - started) * 1000,
                level=logging.WARNING if outcome == "error" else logging.INFO,
                outcome=outcome,
            )

    def _outcome(self, outcome: str) -> None:
        """Record how the current listener ended ("refused", "ignored", "error", "cancelled");
        the task's entry in the in-flight work is dropped when the task is done."""
        task = asyncio.current_task()
        if task is not None and task in self._work:
            self._work[task] = outcome

    def _after_ack(self, body: Body) -> contextlib.AbstractAsyncContextManager[Any]:
        """The turn a listener's work after ``ack()`` waits for (see :class:`AckFirst`); none
        for a click that opens a modal, whose views.open must come within 3 s of the click."""
        actions = body.get("actions")
        action = actions[0] if isinstance(actions, list) and actions else {}
        value = action.get("value") if isinstance(action, dict) else None
        if isinstance(value, str) and _OPENS_MODAL.match(value):
            return contextlib.nullcontext()
        return self.post_ack.turn()

    async def drain(self) -> None:
        """Wait until every listener that has acknowledged Slack has finished its work."""
        while self._work:
            await asyncio.gather(*list(self._work), return_exceptions=True)

    async def _guarded(self, reply: Reply, work: Awaitable[None]) -> None:
        """Run ``work``; show a refusal or a usage hint to the user, privately."""
        try:
            await work
        except (QuizError, UsageError) as exc:
            self._outcome("refused")
            await self._safe_reply(reply, exc.message)
        except PayloadError:
            self._outcome("ignored")
            log.warning("ignored a Slack payload with missing fields", exc_info=True)
        except Exception:
            self._outcome("error")
            log.exception("Slack listener failed")
            await self._safe_reply(reply, SOMETHING_WRONG)

    @staticmethod
    async def _safe_reply(reply: Reply, message: str) -> None:
        """Send a refusal; it may quote user input, so the ``text`` fallback (which Slack
        parses for mentions too) is escaped like the blocks."""
        try:
            await reply(blocks.escape(message), blocks.notice_blocks(message))
        except Exception:
            log.exception("could not send an ephemeral reply")

    # -- registration ----------------------------------------------------------------------

    def _on_command(self, work: Work, reply_of: Callable[[AsyncRespond], Reply]) -> Listener:
        """A listener that acks, then runs ``work`` with refusals shown through ``reply_of``."""

        async def listener(
            ack: AsyncAck, body: Body, respond: AsyncRespond, context: dict[str, Any]
        ) -> None:
            await ack()
            reply = reply_of(respond)
            self._in_background(
                context,
                body,
                self._after_ack(body),
                lambda: self._guarded(reply, work(body, reply)),
            )

        return listener

    def _on_view(self, work: Callable[[Body], Awaitable[None]]) -> Listener:
        """A view-submission listener: ack (closing the modal), then ``work`` (which replies
        itself, through the response_url the modal kept or else chat.postEphemeral)."""

        async def run(body: Body) -> None:
            try:
                await work(body)
            except PayloadError:
                self._outcome("ignored")
                log.warning("ignored a modal submission with missing fields", exc_info=True)

        async def listener(ack: AsyncAck, body: Body, context: dict[str, Any]) -> None:
            await ack()
            self._in_background(context, body, self.post_ack.turn(), lambda: run(body))

        return listener

    def _register(self) -> None:
        from bot.adapters.slack import reviews

        async def publish_home(body: Body, event: Body) -> None:
            try:
                await self.home(body, event)
            except Exception:
                self._outcome("error")
                log.exception("could not publish the App Home tab")

        async def on_home(body: Body, event: Body, context: dict[str, Any]) -> None:
            # bolt acknowledges events itself, as soon as this returns
            self._in_background(
                context, body, self.post_ack.turn(), lambda: publish_home(body, event)
            )

        async def on_quiz(body: Body, reply: Reply) -> None:
            await self.quiz(body)

        async def on_review(body: Body, reply: Reply) -> None:
            await reviews.on_review_command(self, body, reply)

        async def on_review_button(body: Body, reply: Reply) -> None:
            await reviews.on_review_button(self, body, reply)

        async def on_review_modal(body: Body) -> None:
            await reviews.on_review_modal(self, body)

        async def on_interview(body: Body, reply: Reply) -> None:
            await interviews.on_interview_command(self, body, reply)

        async def on_interview_button(body: Body, reply: Reply) -> None:
            await interviews.on_interview_button(self, body, reply)

        async def on_interview_modal(body: Body) -> None:
            await interviews.on_interview_modal(self, body)

        app = self.app
        # bolt tries the listeners in this order: answer clicks, the busiest requests, first
        app.action(re.compile(r"^quiz:"))(self._on_command(self.button, action_reply))
        app.action(reviews.ACTION_PATTERN)(self._on_command(on_review_button, action_reply))
        app.action(interviews.ACTION_PATTERN)(self._on_command(on_interview_button, action_reply))
        app.command("/quiz")(self._on_command(on_quiz, command_reply))
        app.command("/leaderboard")(self._on_command(self.leaderboard, command_reply))
        app.command("/stats")(self._on_command(self.stats, command_reply))
        app.command("/review")(self._on_command(on_review, command_reply))
        app.command("/interview")(self._on_command(on_interview, command_reply))
        app.command("/quiz-admin")(self._on_command(self.admin, command_reply))
        app.view(blocks.MODAL_CALLBACK_ID)(self._on_view(self.modal))
        app.view(reviews.DISPUTE_CALLBACK_ID)(self._on_view(on_review_modal))
        app.view(reviews.REPORT_CALLBACK_ID)(self._on_view(on_review_modal))
        app.view(interviews.MODAL_CALLBACK_ID)(self._on_view(on_interview_modal))
        app.event("app_home_opened")(on_home)

    # -- slash commands --------------------------------------------------------------------

    async def quiz(self, body: Body) -> None:
        """``/quiz``: open a round and post its question with answer buttons."""
        channel, player = command_identity(body)
        args = parse_quiz(body.get("text"))
        card = await self.engine.start_round(
            channel, player, category=args.category, difficulty=args.difficulty, mode=args.mode
        )
        try:
            ref = await self.outbox.post(channel, card)
        except SlackApiError as exc:
            with contextlib.suppress(QuizError):
                await self.engine.close_round(channel.team, card.round_id)
            error = text_field(exc.response.data, "error") or "error"
            raise QuizError(
                f"I could not post the question here ({error}). "
                "Invite me to this channel (/invite @Quizbot) and try again."
            ) from None
        await self.engine.attach_message(channel.team, card.round_id, ref)

    async def leaderboard(self, body: Body, reply: Reply) -> None:
        """``/leaderboard``: the team's (or a channel's) top ten, privately to the caller."""
        channel, player = command_identity(body)
        args = parse_leaderboard(body.get("text"), channel.channel_id)
        board = await self.engine.leaderboard(
            channel.team,
            period=args.period,
            channel_id=args.channel_id,
            caller=player,
            season=args.season,
        )
        await reply(blocks.leaderboard_text(board), blocks.leaderboard_blocks(board))

    async def stats(self, body: Body, reply: Reply) -> None:
        """``/stats [@user]``: points and accuracy of the caller or of a mentioned user."""
        channel, player = command_identity(body)
        args = parse_stats(body.get("text"))
        if args.user_id is not None:
            player = Player(channel.team, args.user_id, args.name or args.user_id)
        stats = await self.engine.stats(player)
        await reply(blocks.stats_text(stats), blocks.stats_blocks(stats))

    async def admin(self, body: Body, reply: Reply) -> None:
        """``/quiz-admin close``: close this channel's open round; ``daily …`` and the
        dispute sub-commands go to their modules (admins only)."""
        channel, player = command_identity(body)
        if not await self.is_admin(player.user_id):
            raise QuizError(NOT_ADMIN)
        if is_daily(body.get("text")):  # /quiz-admin daily …: bot/adapters/slack/daily.py
            await run_daily_admin(self.engine, channel, body.get("text"), reply)
            return
        if is_dispute_admin(body.get("text")):  # disputes|uphold|…: bot/adapters/slack/disputes.py
            await run_dispute_admin(self.engine, channel.team, body.get("text"), reply)
            return
        parse_admin(body.get("text"))
        reveal = await self.engine.close_channel_round(channel)
        if await self.engine.publish_reveal(channel, reveal):
            message = f"Closed round #{reveal.round_id}."
        else:
            message = CLOSED_NOT_SHOWN.format(round_id=reveal.round_id)
        await reply(message, blocks.notice_blocks(message))

    async def is_admin(self, user_id: str) -> bool:
        """Listed in SLACK_ADMIN_USER_IDS, or a workspace admin or owner per users.info."""
        if user_id in self.admins:
            return True
        try:
            response = await self.client.users_info(user=user_id)
        except SlackApiError:
            log.warning("users.info failed for %s", user_id, exc_info=True)
            return False
        user = response.get("user")
        if not isinstance(user, Mapping):
            return False
        return any(user.get(flag) is True for flag in ("is_admin", "is_owner", "is_primary_owner"))

    async def user_name(self, team_id: str, user_id: str) -> str:
        """A user's display name per users.info (cached), or "you" when Slack gives none.

        Only used where the engine knows no name yet (a user who never played).
        """
        key = (team_id, user_id)
        if key in self._names:
            self._names.move_to_end(key)
            return self._names[key]
        try:
            response = await self.client.users_info(user=user_id)
        except SlackApiError:
            log.warning("users.info failed for %s", user_id, exc_info=True)
            return YOU
        user = response.get("user")
        profile = user.get("profile") if isinstance(user, Mapping) else None
        name = (
            text_field(profile, "display_name", "real_name")
            or text_field(user, "real_name", "name")
        ).strip()[:80] or YOU
        self._names[key] = name
        if len(self._names) > NAME_CACHE_SIZE:
            self._names.popitem(last=False)
        return name

    # -- interactions ----------------------------------------------------------------------

    async def button(self, body: Body, reply: Reply) -> None:
        """An answer button (A–D), or "Answer in my own words" which opens the modal."""
        team, player = interaction_identity(body)
        actions = body.get("actions")
        action = actions[0] if isinstance(actions, list) and actions else {}
        try:
            value = parse_button_value(action.get("value") if isinstance(action, dict) else None)
        except ValueError:
            raise QuizError(BROKEN_BUTTON) from None
        if value.choice == "open":
            await self._open_modal(body, team, value.round_id)
            return
        feedback = await self.engine.answer(player, value.round_id, choice=value.choice)
        await reply(blocks.feedback_text(feedback), blocks.feedback_blocks(feedback))

    async def _open_modal(self, body: Body, team: Team, round_id: int) -> None:
        """Open the answer modal at once, with the prompt the clicked message carries.

        The trigger_id is valid for 3 seconds, so nothing that may be slow (the engine closes
        due rounds and publishes their reveals before answering) runs before views.open. Only
        when the payload has no prompt (an ephemeral /review card) is it looked up afterwards
        and filled in with views.update, which keeps what the user has typed.
        """
        channel = interaction_channel(body, team)
        trigger_id = text_field(body, "trigger_id")
        if channel is None or not trigger_id:
            raise PayloadError("open button without channel or trigger_id")
        prompt = blocks.prompt_of_message(body.get("message"))
        response_url = text_field(body, "response_url")
        opened = await self.client.views_open(
            trigger_id=trigger_id,
            view=blocks.answer_modal(
                round_id, channel.channel_id, prompt_mrkdwn=prompt, response_url=response_url
            ),
        )
        if not prompt:
            await self._fill_in_prompt(opened.get("view"), channel, round_id, response_url)

    async def _fill_in_prompt(
        self, view: object, channel: Channel, round_id: int, response_url: str
    ) -> None:
        """Add the question to an open modal (best effort: the modal works without it)."""
        view_id = text_field(view, "id")
        if not view_id:
            return
        try:
            current = await self.engine.current_round(channel)
            if current is None or current.round_id != round_id:
                return
            await self.client.views_update(
                view_id=view_id,
                hash=text_field(view, "hash") or None,
                view=blocks.answer_modal(
                    round_id,
                    channel.channel_id,
                    prompt_mrkdwn=blocks.mrkdwn(current.prompt),
                    response_url=response_url,
                ),
            )
        except (SlackApiError, QuizError):
            log.info("could not add the prompt to the answer modal", exc_info=True)

    async def modal(self, body: Body) -> None:
        """The answer modal was submitted: grade the text, reply through the response_url of
        the click that opened it (chat.postEphemeral when there is none or it fails)."""
        _, player = interaction_identity(body)
        view = body.get("view")
        round_id, reply = submission_reply(self.client, view, player.user_id)
        await self._guarded(reply, self._answer_text(player, round_id, view, reply))

    async def _answer_text(self, player: Player, round_id: int, view: object, reply: Reply) -> None:
        if round_id <= 0:
            raise RoundNotFoundError()
        feedback = await self.engine.answer(
            player, round_id, text=view_value(view, blocks.ANSWER_BLOCK_ID, blocks.ANSWER_INPUT_ID)
        )
        await reply(blocks.feedback_text(feedback), blocks.feedback_blocks(feedback))

    # -- events ----------------------------------------------------------------------------

    async def home(self, body: Body, event: Body) -> None:
        """``app_home_opened``: publish the team leaderboard and the user's own stats."""
        if event.get("tab", "home") != "home":
            return
        team_id = text_field(body, "team_id")
        user_id = text_field(event, "user")
        if not team_id or not user_id:
            raise PayloadError("app_home_opened without team or user")
        team = Team(PLATFORM, team_id)
        player = Player(team, user_id, user_id)
        board = await self.engine.leaderboard(team, period="week", caller=player)
        stats = await self.engine.stats(player)
        if stats.display_name == user_id:  # never played: the engine has no name for them
            stats = dataclasses.replace(stats, display_name=await self.user_name(team_id, user_id))
        await self.client.views_publish(user_id=user_id, view=blocks.home_view(board, stats))


def create_app(
    engine: QuizEngine, settings: Settings, *, client: AsyncWebClient | None = None
) -> SlackQuiz:
    """Build the Slack app for ``engine`` and register its outbox with the engine.

    ``client`` defaults to a Web API client for ``SLACK_API_URL`` with ``SLACK_BOT_TOKEN`` that
    retries rate-limited calls; distributed with OAuth (``SLACK_CLIENT_ID``), to one that sends
    each workspace's own token (:mod:`bot.adapters.slack.oauth`).
    """
    workspaces = None
    if settings.slack_oauth:
        if not isinstance(engine.store, Database):  # bot.app refuses this before it starts
            raise ConfigError("Slack with OAuth (SLACK_CLIENT_ID) needs an SQLite database")
        workspaces = SlackWorkspaces(settings, engine.store)
    if workspaces is not None:
        client = client or workspaces.client
    elif client is None:
        if not settings.slack_bot_token:
            raise ConfigError("SLACK_BOT_TOKEN is required for Slack")
        client = make_client(settings.slack_bot_token, settings.slack_api_url)
    quiz = SlackQuiz(
        engine,
        client,
        signing_secret=settings.slack_signing_secret or "",
        admins=parse_admin_ids(settings.slack_admin_user_ids),
        workspaces=workspaces,
    )
    if workspaces is not None:
        workspaces.attach(quiz)
    engine.register_outbox(PLATFORM, quiz.outbox)
    return quiz
