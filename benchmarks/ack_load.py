"""The load side of the acknowledgement benchmark, run in its own process.

``python -m benchmarks.ack_load ADAPTER WINDOW_S USERS`` starts the platform's loopback fake
(``tests/fakes``), prints ``{"api_url": …, "gateway_url": …}``, and waits for one line on stdin
from the process under test (Slack: ``{"port": N}`` of its HTTP endpoint; Discord: ``{}`` once
its bot is started). It then opens a round, has ``USERS`` distinct users press an answer button
(spread over ``WINDOW_S`` seconds; 0 = all at once), prints ``{"acks_s": […]}`` — each click's
time from the request leaving the load side to its acknowledgement arriving, measured here on
one clock — and keeps the fake serving until stdin closes (follow-ups still arriving).

Keeping the fake platform and the request generator here leaves the measured process running
only what production runs: the adapter, the engine and SQLite.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import sys
import time
import warnings
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, cast
from urllib.parse import urlencode

from aiohttp import web, web_protocol

from bot import event_loop

__all__ = ["main"]


async def _staggered(starts: list[Callable[[], Awaitable[Any]]], window_s: float) -> list[Any]:
    """Await the coroutine factories, starting them evenly over ``window_s`` seconds."""
    loop = asyncio.get_running_loop()
    begin = loop.time()
    step = window_s / len(starts) if starts else 0.0
    tasks = []
    for index, start in enumerate(starts):
        delay = begin + index * step - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.ensure_future(start()))
    return list(await asyncio.gather(*tasks))


def _emit(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data) + "\n")
    sys.stdout.flush()


async def _read_line() -> str:
    return await asyncio.to_thread(sys.stdin.readline)


_ACK_WAIT_S = 30.0
"""How long a click waits for its acknowledgement (a later one is long missed anyway)."""
_REPLIES_WAIT_S = 120.0
"""How long all the clicks together wait for their replies before the figures are sent."""

_first_bytes: dict[web_protocol.RequestHandler, float] = {}  # connection -> its request's


def _stamp_request_arrivals() -> None:
    """Have aiohttp's server protocol note when the first bytes of each request are read."""
    read = web_protocol.RequestHandler.data_received

    def data_received(self: web_protocol.RequestHandler, data: bytes) -> None:
        _first_bytes.setdefault(self, time.monotonic())
        read(self, data)

    web_protocol.RequestHandler.data_received = data_received  # type: ignore[method-assign]


def _arrival_of(request: web.Request) -> float:
    """When ``request``'s first bytes were read (now, if unknown)."""
    return _first_bytes.get(request.protocol) or time.monotonic()


def _request_done(request: web.Request) -> None:
    """Forget the stamp of a handled request (its body is read): the connection's next bytes
    are the next request's."""
    _first_bytes.pop(request.protocol, None)


async def _discord(window_s: float, users: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from tests.adapters.discord.conftest import CHANNEL, GUILD, Driver, user
    from tests.fakes.discord_api import FakeDiscord

    acks: list[float] = []
    arrived: contextvars.ContextVar[float] = contextvars.ContextVar("arrived")
    _stamp_request_arrivals()

    class TimedFake(FakeDiscord):
        """The fake, noting when each interaction is sent and when the first bytes of its first
        callback reach the fake (on time.monotonic: some loops' own clocks tick in whole
        milliseconds). The arrival is stamped as the bytes are read, so the fake's own queue
        of 200 requests to handle is not counted as the bot's time."""

        sent_at: ClassVar[dict[str, float]] = {}
        acked: ClassVar[dict[str, asyncio.Event]] = {}

        def open_interaction(self, interaction_id: str, token: str, *args: Any) -> None:
            self.sent_at[token] = time.monotonic()
            self.acked[token] = asyncio.Event()
            super().open_interaction(interaction_id, token, *args)

        async def _api(self, request: web.Request) -> web.Response:
            arrived.set(_arrival_of(request))
            try:
                return await super()._api(request)
            finally:
                _request_done(request)

        async def replied(self, token: str) -> None:
            """Wait until the interaction got its complete reply (no time limit)."""
            await self._interactions[token].done.wait()

        def _callback(self, interaction_id: str, token: str, body: Any, query: Any) -> Any:
            found = self._interactions.get(token)
            if found is not None and not self.acked[token].is_set():  # the first callback only
                acks.append(arrived.get() - self.sent_at[token])
                self.acked[token].set()
            return super()._callback(interaction_id, token, body, query)

    fake = TimedFake(guilds={GUILD: [CHANNEL]})  # the bot is in the clicks' guild, as in use
    await fake.start()
    sequence = 1
    try:
        _emit({"api_url": fake.api_url, "gateway_url": fake.gateway_url})
        await _read_line()
        await asyncio.wait_for(fake.gateway_identified.wait(), 30)
        driver = Driver(None, fake)  # type: ignore[arg-type]  # payload builders only

        async def send(payload: dict[str, Any]) -> str:
            nonlocal sequence
            sequence += 1
            fake.open_interaction(
                payload["id"], payload["token"], payload["channel_id"], payload["member"]["user"]
            )
            await fake.push("INTERACTION_CREATE", payload, sequence)
            return str(payload["token"])

        before = set(fake.messages)
        await fake.answered(
            await send(driver.slash("quiz", [{"name": "category", "type": 3, "value": "beta"}]))
        )
        await asyncio.sleep(0.1)
        [message] = [
            m
            for key, m in fake.messages.items()
            if key not in before and m.get("interaction_metadata") is None and m["embeds"]
        ]
        acks.clear()  # only the answers count
        button = next(b["custom_id"] for row in message["components"] for b in row["components"])

        def click(n: int) -> Callable[[], Awaitable[str]]:
            payload = driver.click(message, button, who=user(f"6{n:017d}", f"user {n}"))

            async def go() -> str:
                token = await send(payload)
                with contextlib.suppress(TimeoutError):  # never acknowledged: a missed click
                    await asyncio.wait_for(TimedFake.acked[token].wait(), _ACK_WAIT_S)
                return token

            return go

        tokens = await _staggered([click(n) for n in range(users)], window_s)
        # the replies too, as in use, before the bot is stopped (a late click may get none)
        replies = [asyncio.ensure_future(fake.replied(token)) for token in tokens]
        _, unanswered = await asyncio.wait(replies, timeout=_REPLIES_WAIT_S)
        for reply in unanswered:
            reply.cancel()
        _emit({"acks_s": acks})
        await _read_line()
    finally:
        await fake.close()


class _RawRequest(asyncio.Protocol):
    """One HTTP request on a new connection, timed from the connect until the whole response
    has arrived. Plain protocol code keeps the load side's own cost per request tiny, so that the
    time measured is the app's, not the request generator's queue."""

    def __init__(self, request: bytes, started: float, done: asyncio.Future[tuple[int, float]]):
        self.request = request
        self.started = started
        self.done = done
        self.received = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        cast(asyncio.WriteTransport, transport).write(self.request)

    def data_received(self, data: bytes) -> None:
        self.received += data
        head, found, body = self.received.partition(b"\r\n\r\n")
        if not found or self.done.done():
            return
        length = next(
            (
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            ),
            0,
        )
        if len(body) >= length:
            status = int(head.split(b" ", 2)[1])
            self.done.set_result((status, time.monotonic() - self.started))

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_exception(exc or ConnectionError("closed before the response"))


def _signed_post(port: int, path: str, body: str, secret: str) -> bytes:
    """A Slack-signed form POST as raw HTTP/1.1 bytes."""
    from tests.adapters.slack.helpers import FORM, sign

    stamp = int(time.time())
    data = body.encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {FORM}\r\n"
        f"X-Slack-Request-Timestamp: {stamp}\r\nX-Slack-Signature: {sign(body, stamp, secret)}\r\n"
        f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + data


async def _raw_post(port: int, request: bytes) -> tuple[int, float]:
    """Send ``request`` on a new connection; (status, seconds until the response arrived)."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[tuple[int, float]] = loop.create_future()
    started = time.monotonic()
    transport, _ = await loop.create_connection(
        lambda: _RawRequest(request, started, done), "127.0.0.1", port
    )
    try:
        return await done
    finally:
        transport.close()


async def _slack(window_s: float, users: int) -> None:
    import aiohttp

    from tests.adapters.slack.helpers import (
        SECRET,
        SlackClient,
        answer_buttons,
        click_payload,
    )
    from tests.fakes.slack_api import FakeSlack

    async with FakeSlack() as fake:
        _emit({"api_url": fake.api_url, "gateway_url": None})
        port = int(json.loads(await _read_line())["port"])
        async with aiohttp.ClientSession() as session:
            client = SlackClient(session, f"http://127.0.0.1:{port}/slack/events", fake)
            reply = await client.command("/quiz", "beta")
            assert reply.status == 200, reply
        [post] = await fake.wait_for("chat.postMessage")
        value = next(iter(answer_buttons(post).values()))
        requests = [  # built (and signed) before the clock starts, as Slack's would be
            _signed_post(
                port,
                "/slack/events",
                urlencode(
                    {
                        "payload": json.dumps(
                            click_payload(
                                fake, value, message=post, user_id=f"U{n:08d}", user_name=f"u{n}"
                            )
                        )
                    }
                ),
                SECRET,
            )
            for n in range(users)
        ]

        def click(request: bytes) -> Callable[[], Awaitable[tuple[int, float]]]:
            return lambda: _raw_post(port, request)

        replies = await _staggered([click(request) for request in requests], window_s)
        failed = [status for status, _ in replies if status != 200]
        if failed:
            raise RuntimeError(f"{len(failed)} clicks were not acknowledged with 200: {failed[:5]}")
        _emit({"acks_s": [elapsed for _, elapsed in replies]})
        await _read_line()


def main(argv: list[str]) -> None:
    """``ADAPTER WINDOW_S USERS``."""
    adapter, window_s, users = argv[0], float(argv[1]), int(argv[2])
    measure = {"discord": _discord, "slack": _slack}[adapter]
    # the fastest loop here too: the fake's own queue is not the bot's acknowledgement time
    event_loop.run(measure(window_s, users))


if __name__ == "__main__":
    main(sys.argv[1:])
