"""Slack for many workspaces: bolt's OAuth install flow ("Add to Slack") and what comes with it.

:class:`SlackWorkspaces` holds the pieces, all on Quizbot's database, an SQLite file or
PostgreSQL shared by any number of replicas (:mod:`bot.adapters.slack.installations`):
bolt's ``AsyncOAuthFlow`` with Quizbot's install, success and failure pages (served by
:func:`add_oauth_routes` at ``/slack/install`` and ``/slack/oauth_redirect``), the authorize
step that refreshes rotating tokens serialised per workspace
(:mod:`bot.adapters.slack.token_rotation`), and what :meth:`SlackWorkspaces.attach` adds to
the app:

- a middleware that keeps the request's bot token for its work
  (:mod:`bot.adapters.slack.workspace_client`) and remembers which organisation a workspace of
  an org-wide install belongs to (requests name both);
- the outbox, which looks up the token of each post's own workspace;
- ``app_uninstalled`` and ``tokens_revoked`` (of the bot): the installation is removed and the
  workspace's daily schedules paused; its scores and history stay (``quizbot db forget``).
"""

from __future__ import annotations

import html
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator

from bot.adapters.slack.installations import (
    STATE_EXPIRATION_S,
    QuizbotInstallationStore,
    QuizbotStateStore,
    team_key,
)
from bot.adapters.slack.outbox import SlackOutbox
from bot.adapters.slack.payloads import PLATFORM, event_team, text_field
from bot.adapters.slack.token_rotation import SerialisedAuthorize, WorkspaceTokens
from bot.adapters.slack.workspace_client import WorkspaceClient, bind_request_token
from bot.config import Settings
from bot.token_cipher import TokenCipher
from storage.database import Database
from storage.installation_store import InstallationStore
from storage.interface import InstallationStorage


@runtime_checkable
class WithInstallations(Protocol):
    """A store that keeps Slack installations as a sub-store (PostgreSQL's)."""

    @property
    def installations(self) -> InstallationStorage:
        """The rows of Slack installations, OAuth states and org-wide workspaces."""
        ...


def installation_rows(store: object) -> InstallationStorage | None:
    """The installation rows of Quizbot's ``store``, whichever its backend: on an SQLite
    file a :class:`~storage.installation_store.InstallationStore` on its connection, on
    PostgreSQL its ``installations`` sub-store; None for a store that keeps none."""
    if isinstance(store, Database):
        return InstallationStore(store)
    if isinstance(store, WithInstallations):
        return store.installations
    return None


class Attachable(Protocol):
    """What :meth:`SlackWorkspaces.attach` equips: the Slack app's bolt app and outbox."""

    app: AsyncApp
    outbox: SlackOutbox


__all__ = [
    "BOT_SCOPES",
    "INSTALL_PATH",
    "REDIRECT_PATH",
    "SlackWorkspaces",
    "WithInstallations",
    "add_oauth_routes",
    "failure_message",
    "installation_rows",
]

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
BOT_SCOPES = ("commands", "chat:write", "chat:write.public", "users:read")
"""The bot scopes Quizbot asks for (those of ``slack-manifest.yaml``)."""
TOKEN_ROTATION_MINUTES = 120
"""A rotating token is refreshed when it expires within this many minutes (bolt's default)."""
UNINSTALLED = "Quizbot was uninstalled from this Slack workspace"
REVOKED = "Quizbot's token for this Slack workspace was revoked"

_FAILURES = {
    "access_denied": "The installation was cancelled in Slack, so nothing was installed.",
    "invalid_browser": (
        "This page was opened in another browser than the one that started the installation, "
        "or the installation started more than 10 minutes ago."
    ),
    "invalid_state": (
        "This installation link has expired or was already used: each one works once, "
        "within 10 minutes."
    ),
    "missing_code": "Slack sent no authorization code with this page.",
    "invalid_code": "Slack did not accept the authorization code (it expires after use).",
    "storage_error": "Quizbot could not save the installation; its log says why.",
}


def failure_message(reason: str) -> str:
    """What the failure page says for bolt's ``reason`` (or Slack's ``error``)."""
    return _FAILURES.get(reason, f"Slack reported an error: {reason}.")


def _page(title: str, body: str) -> str:
    """A plain HTML page (``body`` is HTML; escape what goes into it)."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;max-width:36em;margin:3em auto;padding:0 1em;"
        "line-height:1.5}a.button{display:inline-block;padding:.6em 1.2em;background:#4a154b;"
        "color:#fff;border-radius:4px;text-decoration:none}</style></head>\n"
        f"<body><h1>{html.escape(title)}</h1>\n{body}\n</body></html>\n"
    )


class QuizbotOAuthFlow(AsyncOAuthFlow):
    """bolt's OAuth flow with Quizbot's install page."""

    async def build_install_page_html(self, url: str, request: AsyncBoltRequest) -> str:
        """The "Add to Slack" page: one link to Slack's authorize URL."""
        return _page(
            "Add Quizbot to Slack",
            "<p>Quizbot drills junior Python backend interview questions in your channels: "
            "/quiz, /leaderboard, /review, /interview and a daily question.</p>\n"
            f'<p><a class="button" href="{html.escape(url)}">Add to Slack</a></p>\n'
            "<p>Slack asks a workspace admin to approve it. This link works once, "
            "for 10 minutes, in this browser.</p>",
        )


async def _success(args: AsyncSuccessArgs) -> BoltResponse:
    installation = args.installation
    where = installation.team_name or installation.enterprise_name or "your workspace"
    team = installation.team_id or installation.enterprise_id or ""
    link = f"slack://app?team={team}&id={installation.app_id}" if installation.app_id else ""
    open_link = f' <a href="{html.escape(link)}">Open Slack</a>.' if link else ""
    body = _page(
        "Quizbot is installed",
        f"<p>Quizbot is installed in {html.escape(where)}.{open_link}</p>\n"
        "<p>Invite it to a channel (<code>/invite @Quizbot</code>) and type <code>/quiz</code>. "
        "Admins schedule a daily question with <code>/quiz-admin daily</code>.</p>",
    )
    return _html_response(200, body, args.settings)


async def _failure(args: AsyncFailureArgs) -> BoltResponse:
    log.warning("slack: an installation failed: %s", args.reason)
    body = _page(
        "Quizbot was not installed",
        f"<p>{html.escape(failure_message(args.reason))}</p>\n"
        f'<p><a href="{html.escape(args.settings.install_path)}">Start the installation '
        "again</a>.</p>",
    )
    return _html_response(args.suggested_status_code, body, args.settings)


def _html_response(status: int, body: str, settings: AsyncOAuthSettings) -> BoltResponse:
    return BoltResponse(
        status=status,
        body=body,
        headers={
            "Content-Type": "text/html; charset=utf-8",
            "Set-Cookie": settings.state_utils.build_set_cookie_for_deletion(),
        },
    )


class SlackWorkspaces:
    """Quizbot installed in many workspaces: its stores, token keeper and OAuth flow."""

    def __init__(
        self,
        settings: Settings,
        store: Database | WithInstallations,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not (settings.slack_client_id and settings.slack_client_secret):
            raise ValueError("SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are required for OAuth")
        rows = installation_rows(store)
        if rows is None:
            raise ValueError(f"{type(store).__name__} keeps no Slack installations")
        self.rows: InstallationStorage = rows
        self.installations = QuizbotInstallationStore(
            self.rows, TokenCipher(settings.quizbot_secret_key), clock
        )
        self.states = QuizbotStateStore(self.rows, clock)
        self.client = WorkspaceClient(settings.slack_api_url)
        rotator = AsyncTokenRotator(
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret,
            client=WorkspaceClient(settings.slack_api_url),
        )
        self.tokens = WorkspaceTokens(
            self.installations, rotator, minutes_before_expiration=TOKEN_ROTATION_MINUTES
        )
        oauth_settings = AsyncOAuthSettings(
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret,
            scopes=list(BOT_SCOPES),
            user_scopes=[],
            redirect_uri=settings.slack_redirect_uri,
            install_path=INSTALL_PATH,
            redirect_uri_path=REDIRECT_PATH,
            callback_options=AsyncCallbackOptions(success=_success, failure=_failure),
            installation_store=self.installations,
            token_rotation_expiration_minutes=TOKEN_ROTATION_MINUTES,
            state_store=self.states,
            state_expiration_seconds=STATE_EXPIRATION_S,
            logger=log,
        )
        self.flow = QuizbotOAuthFlow(client=self.client, logger=log, settings=oauth_settings)
        self.authorize = SerialisedAuthorize(
            self.tokens,
            logger=log,
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret,
            token_rotation_expiration_minutes=TOKEN_ROTATION_MINUTES,
            cache_enabled=True,  # auth.test once per token, not once per request
        )
        self._org_workspaces: set[tuple[str, str]] = set()

    def bolt_options(self) -> dict[str, Any]:
        """The ``AsyncApp`` arguments that make it serve every installed workspace."""
        return {
            "oauth_flow": self.flow,
            "authorize": self.authorize,
            "installation_store": self.installations,
        }

    def attach(self, quiz: Attachable) -> None:
        """Give ``quiz`` the per-workspace outbox, the request-token middleware and the
        uninstall listeners (call before registering its outbox with the engine)."""
        quiz.outbox = SlackOutbox(self.client, tokens=self.tokens)
        quiz.app.use(self._bind_workspace)
        quiz.app.event("app_uninstalled")(self._on_uninstalled)
        quiz.app.event("tokens_revoked")(self._on_tokens_revoked)

    # -- middleware and listeners ------------------------------------------------------------

    async def _bind_workspace(
        self, body: dict[str, Any], context: AsyncBoltContext, next: Callable[[], Any]
    ) -> Any:
        bind_request_token(context.bot_token)
        enterprise_id = context.enterprise_id
        if context.is_enterprise_install and enterprise_id:
            workspace = event_team(body) or text_field(body.get("user"), "team_id")
            if workspace and workspace != enterprise_id:
                await self._remember(workspace, enterprise_id)
        return await next()

    async def _remember(self, workspace: str, enterprise_id: str) -> None:
        pair = (workspace, enterprise_id)
        if pair not in self._org_workspaces:
            await self.rows.remember_org_workspace(workspace, enterprise_id)
            self._org_workspaces.add(pair)

    async def _on_uninstalled(self, context: AsyncBoltContext) -> None:
        await self.remove(
            team_key(context.enterprise_id, context.team_id, context.is_enterprise_install),
            UNINSTALLED,
        )

    async def _on_tokens_revoked(self, event: dict[str, Any], context: AsyncBoltContext) -> None:
        tokens = event.get("tokens")
        if isinstance(tokens, dict) and tokens.get("bot"):
            await self.remove(
                team_key(context.enterprise_id, context.team_id, context.is_enterprise_install),
                REVOKED,
            )

    async def remove(self, key: str | None, reason: str) -> None:
        """Remove the installation keyed ``key`` and pause the daily schedules of every
        workspace it served; scores and history stay. One log line."""
        if not key:
            log.warning("slack: %s, but the event names no workspace", reason)
            return
        workspaces = await self.rows.workspaces_of(key)
        removed = await self.rows.delete(key)
        paused = await self.rows.pause_daily(PLATFORM, workspaces, reason)
        self._org_workspaces = {pair for pair in self._org_workspaces if pair[1] != key}
        log.info(
            "slack: %s (%s): installation %s, %d daily schedule(s) paused; scores and history "
            "kept (quizbot db forget --team slack:%s deletes them)",
            reason,
            key,
            "removed" if removed else "already gone",
            paused,
            key,
        )


def add_oauth_routes(app: web.Application, flow: AsyncOAuthFlow) -> None:
    """Serve the install page and the OAuth redirect of ``flow`` on ``app``."""

    async def install(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await flow.handle_installation(_bolt_request(request)))

    async def redirect(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await flow.handle_callback(_bolt_request(request)))

    app.router.add_get(flow.install_path, install)
    app.router.add_get(flow.redirect_uri_path, redirect)


def _bolt_request(request: web.Request) -> AsyncBoltRequest:
    headers: dict[str, str | Sequence[str]] = {
        name.lower(): request.headers.getall(name) for name in request.headers
    }
    return AsyncBoltRequest(body="", query=request.query_string, headers=headers)
