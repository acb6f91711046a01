"""The Quizbot Slack app: bolt's ``AsyncApp`` with every listener registered.

bolt acknowledges every request itself: each listener is an ``ack`` function, which answers
at once (with a usage hint or a modal's field errors where the request is refused, see
:mod:`bot.adapters.slack.listening`), and a lazy function bolt runs after it, doing the engine
call and the reply. ``process_before_response=True`` makes bolt send the acknowledgement (the
HTTP response, or the Socket Mode envelope) as soon as the ack function returns. The listeners
live in their modules: :mod:`~bot.adapters.slack.quiz_commands`,
:mod:`~bot.adapters.slack.answers`, :mod:`~bot.adapters.slack.admin_command`,
:mod:`~bot.adapters.slack.reviews`, :mod:`~bot.adapters.slack.interviews` and
:mod:`~bot.adapters.slack.home`. A button that opens a modal calls views.open before any engine
work, as its ``trigger_id`` expires 3 seconds after the click. No quiz rule lives here.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.ack_first import AckFirst
from bot.adapters.slack import blocks, interviews, reviews
from bot.adapters.slack.admin_command import on_admin
from bot.adapters.slack.admins import AdminCheck, parse_admin_ids
from bot.adapters.slack.answers import on_answer_button, on_answer_modal
from bot.adapters.slack.deps import SlackDeps
from bot.adapters.slack.home import on_home_opened
from bot.adapters.slack.in_flight import InFlight, arrival_context
from bot.adapters.slack.listening import (
    Body,
    Check,
    Handler,
    Listener,
    accept,
    on_request,
    on_view,
)
from bot.adapters.slack.logs import bolt_logger
from bot.adapters.slack.names import UserNames
from bot.adapters.slack.oauth import SlackWorkspaces, WithInstallations
from bot.adapters.slack.outbox import SlackOutbox, make_client
from bot.adapters.slack.parsing import (
    parse_interview,
    parse_leaderboard,
    parse_quiz,
    parse_review,
    parse_stats,
)
from bot.adapters.slack.payloads import PLATFORM
from bot.adapters.slack.quiz_commands import on_leaderboard, on_quiz, on_stats
from bot.adapters.slack.replies import Reply, action_reply, command_reply
from bot.adapters.slack.usage import parsed_by, parsed_in_channel_by
from bot.config import ConfigError, Settings
from bot.engine.engine import QuizEngine
from storage.database import Database

__all__ = ["SlackQuiz", "arrival_context", "build_bolt_app", "create_app", "parse_admin_ids"]

DepsHandler = Callable[[SlackDeps, Body, Reply], Awaitable[None]]


def build_bolt_app(
    client: AsyncWebClient, signing_secret: str, workspaces: SlackWorkspaces | None = None
) -> AsyncApp:
    """bolt's app, without listeners (distributed with OAuth: serving every installed
    workspace)."""
    return AsyncApp(
        **(workspaces.bolt_options() if workspaces else {}),  # OAuth: a token per workspace
        client=client,
        signing_secret=signing_secret,
        # bolt answers once the ack function returned; the work runs in lazy listeners
        process_before_response=True,
        name="quizbot",
        logger=bolt_logger(),  # bolt's loggers copy its level: nothing below WARNING
        # Each middleware costs every request some work before its ack. Quizbot listens to
        # no message events (nothing of its own to ignore) and has no workflow functions.
        ignoring_self_events_enabled=False,
        attaching_function_token_enabled=False,
    )


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
        self.client = client
        self.signing_secret = signing_secret
        self.deps = SlackDeps(
            engine, client, SlackOutbox(client), AdminCheck(client, admins), UserNames(client)
        )
        self.post_ack = AckFirst()  # the work after the acks waits for the acks in progress
        self.in_flight = InFlight(self.post_ack)
        self.app = build_bolt_app(client, signing_secret, workspaces)
        self._register()

    @property
    def engine(self) -> QuizEngine:
        """The engine every listener calls."""
        return self.deps.engine

    @engine.setter
    def engine(self, engine: QuizEngine) -> None:
        self.deps.engine = engine

    @property
    def outbox(self) -> SlackOutbox:
        """What posts the questions and the engine's reveals, edits and notices."""
        return self.deps.outbox

    @outbox.setter
    def outbox(self, outbox: SlackOutbox) -> None:
        self.deps.outbox = outbox

    async def drain(self) -> None:
        """Wait until every request acknowledged so far has finished its work."""
        await self.in_flight.drain()

    def _handler(self, handler: DepsHandler) -> Handler:
        return functools.partial(handler, self.deps)

    def _register(self) -> None:
        app, deps, in_flight = self.app, self.deps, self.in_flight

        def command(handler: DepsHandler, check: Check = accept) -> Listener:
            return on_request(in_flight, self._handler(handler), command_reply, check)

        def action(handler: DepsHandler) -> Listener:
            return on_request(in_flight, self._handler(handler), action_reply)

        def view(
            work: Callable[[SlackDeps, Body], Awaitable[None]], check: Check = accept
        ) -> Listener:
            return on_view(in_flight, functools.partial(work, deps), check)

        # bolt tries the listeners in this order: answer clicks, the busiest requests, first
        app.action(re.compile(r"^quiz:"))(action(on_answer_button))
        app.action(reviews.ACTION_PATTERN)(action(reviews.on_review_button))
        app.action(interviews.ACTION_PATTERN)(action(interviews.on_interview_button))
        app.command("/quiz")(command(on_quiz, parsed_by(parse_quiz)))
        app.command("/leaderboard")(
            command(on_leaderboard, parsed_in_channel_by(parse_leaderboard))
        )
        app.command("/stats")(command(on_stats, parsed_by(parse_stats)))
        app.command("/review")(command(reviews.on_review_command, parsed_by(parse_review)))
        app.command("/interview")(
            command(interviews.on_interview_command, parsed_by(parse_interview))
        )
        app.command("/quiz-admin")(command(on_admin))  # only admins learn its usage
        app.view(blocks.MODAL_CALLBACK_ID)(view(on_answer_modal))
        app.view(reviews.DISPUTE_CALLBACK_ID)(view(reviews.on_review_modal))
        app.view(reviews.REPORT_CALLBACK_ID)(
            view(reviews.on_review_modal, reviews.report_kind_errors)
        )
        app.view(interviews.MODAL_CALLBACK_ID)(view(interviews.on_interview_modal))
        app.event("app_home_opened")(view(on_home_opened))  # bolt acks events the same way


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
        store = engine.store
        if not isinstance(store, (Database, WithInstallations)):
            raise ConfigError("Slack with OAuth (SLACK_CLIENT_ID) needs a store of installations")
        workspaces = SlackWorkspaces(settings, store)
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
