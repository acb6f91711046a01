"""The Slack adapter: bolt ``AsyncApp``, Block Kit rendering, Socket Mode and HTTP mode.

Entry points: :func:`run_slack` (run until cancelled) and :func:`create_app` (for tests).
"""

from bot.adapters.slack.app import SlackQuiz, create_app
from bot.adapters.slack.outbox import SlackOutbox, make_client
from bot.adapters.slack.runner import EVENTS_PATH, connect_socket_mode, run_slack, serve_http

__all__ = [
    "EVENTS_PATH",
    "SlackOutbox",
    "SlackQuiz",
    "connect_socket_mode",
    "create_app",
    "make_client",
    "run_slack",
    "serve_http",
]
