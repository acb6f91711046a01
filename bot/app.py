"""The composition root: build the store, bank and engine, then run the adapters on one loop.

``run`` starts every platform adapter whose credentials are set (the console when none are),
the round timer, and, on an SQLite file, holds ``<database>.lock`` so ``quizbot db restore``
knows the bot is running. On PostgreSQL (``QUIZBOT_DATABASE=postgresql://…``) nothing is held:
any number of replicas run on one database, each with its own heartbeat file. SIGTERM and
SIGINT stop it gracefully: adapters are cancelled (no new interactions), the store waits for
the running write before it closes, and the process exits 0.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import errno
import fcntl
import importlib
import logging
import os
import random
import signal
import sys
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, ParamSpec, TextIO, TypeVar

from bot.adapters.console import ConsoleSession, run_console
from bot.config import Settings, check_judge, check_platforms
from bot.daily import daily_for
from bot.engine.engine import QuizEngine
from bot.heap import tune_collector
from bot.heartbeat import run_heartbeat
from bot.llm_judge import judge_from_settings
from bot.publisher import publisher_for
from bot.round_timer import run_round_timer
from questions.loader import load_bank
from storage.database import check_database_path, wal_path
from storage.interface import Storage
from storage.store import Store, StoreError

__all__ = [
    "SHUTDOWN_GRACE_S",
    "AdapterRunner",
    "build_engine",
    "check_can_start",
    "instance_lock",
    "lock_path",
    "open_store",
    "platform_adapters",
    "run",
    "run_console_app",
    "running_pid",
    "start_lock",
]

log = logging.getLogger(__name__)

# Adapters get this long to stop after SIGTERM; the store then closes (well under 10 s).
SHUTDOWN_GRACE_S = 6.0

AdapterRunner = Callable[[QuizEngine, Settings], Coroutine[Any, Any, None]]
"""A platform adapter: a coroutine function that serves until cancelled."""

_P = ParamSpec("_P")
_T = TypeVar("_T")


async def open_store(settings: Settings) -> Storage:
    """The store ``QUIZBOT_DATABASE`` names: the SQLite file (migrated as it opens), or the
    PostgreSQL database, migrated first when ``QUIZBOT_MIGRATE_ON_START`` (else one behind
    the code is refused with a line saying to run ``quizbot db migrate``)."""
    url = settings.postgres_url
    if url is None:
        return await Store.open(settings.quizbot_database)
    from storage.postgres.store import PostgresStore  # asyncpg: only with PostgreSQL

    return await PostgresStore.open(
        url,
        min_size=settings.quizbot_database_pool_min,
        max_size=settings.quizbot_database_pool_max,
        migrate_now=settings.quizbot_migrate_on_start,
    )


@asynccontextmanager
async def build_engine(settings: Settings, *, seed: int | None = None) -> AsyncIterator[QuizEngine]:
    """Open the store, load the bank and set up the LLM judge when configured; yield the
    engine; close the judge and the store on exit."""
    bank = load_bank(settings.quizbot_questions_dir)
    judge = judge_from_settings(settings)
    store = await open_store(settings)
    try:
        yield QuizEngine(
            store,
            bank,
            rng=random.Random(seed),
            round_seconds=settings.quizbot_round_seconds,
            review_nudge=settings.quizbot_review_nudge,
            seasons=settings.quizbot_season,
            judge=judge,
            interview_question_seconds=settings.quizbot_interview_question_seconds,
        )
    finally:
        if judge is not None:
            await judge.close()
        await store.close()


# -- the instance lock -----------------------------------------------------------------------


def lock_path(database: Path) -> Path:
    """The lock file a running bot holds for ``database``: beside the real file (symlinks
    resolved), so every spelling of the path finds the same lock."""
    real = database.resolve()
    return real.with_name(real.name + ".lock")


@contextlib.contextmanager
def instance_lock(database: Path) -> Iterator[None]:
    """Hold ``database`` for this process: an exclusive ``flock`` on ``<database>.lock`` (with
    our pid in it) and one on the database file itself (created empty if missing).

    The second is keyed on the file, not on its name, so no other name of it (a symlink or a
    hard link) gets past it. It is taken only once the first is held and released after the
    block, when this process's SQLite connections to the file are closed: closing a descriptor
    of the file drops every SQLite lock the process holds on it.
    Raises :class:`StoreError` when another process holds either, or when the lock cannot be
    written (a full disk).
    """
    path = lock_path(database)
    with (
        _flocked(path, os.O_RDWR, database, lambda: f"pid {_pid_in(path)}") as lock,
        _flocked(database, os.O_RDONLY, database, lambda: "under another name of the file"),
    ):
        try:
            os.ftruncate(lock, 0)
            os.pwrite(lock, f"{os.getpid()}\n".encode(), 0)
        except OSError as exc:
            raise StoreError(f"{path}: cannot write the lock file ({exc.strerror})") from None
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                os.ftruncate(lock, 0)


@contextlib.contextmanager
def _flocked(path: Path, flags: int, database: Path, holder: Callable[[], str]) -> Iterator[int]:
    """A descriptor of ``path`` (created if missing), exclusively locked for the block;
    ``holder()`` names the process holding it when it is taken."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, flags | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise StoreError(f"{path}: cannot open ({exc.strerror})") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise StoreError(f"{path}: cannot lock ({exc.strerror})") from None
            raise StoreError(
                f"{database}: in use by a running Quizbot ({holder()}); stop it first"
            ) from None
        yield fd
    finally:
        os.close(fd)


def _pid_in(path: Path) -> str:
    """The pid a lock file holds, as written ("?" when unreadable or empty)."""
    try:
        return path.read_text(encoding="utf-8").strip() or "?"
    except OSError:
        return "?"


def check_can_start(database: Path) -> None:
    """Refuse to start the bot on a missing database that existed before (its lock file or
    write-ahead log is still beside it: it was deleted or moved, not never created), or on a
    path the store would refuse (a folder, not SQLite, not writable, ...): :class:`StoreError`.
    """
    left = [p.name for p in (lock_path(database), wal_path(database)) if p.exists()]
    if left and not database.exists():
        raise StoreError(
            f"{database}: missing, but {' and '.join(left)} beside it show it existed "
            "(deleted or moved?); restore it (quizbot db restore BACKUP), or move "
            f"{' and '.join(left)} away to start with an empty database"
        )
    check_database_path(database)


def running_pid(database: Path) -> str | None:
    """The pid (as written) of the Quizbot holding ``database``'s lock, or None if none runs."""
    path = lock_path(database)
    if not path.exists():
        return None
    with path.open("r", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return handle.read().strip() or "?"
        fcntl.flock(handle, fcntl.LOCK_UN)
    return None


@contextlib.contextmanager
def start_lock(settings: Settings) -> Iterator[None]:
    """What this process holds while the bot runs: on an SQLite file, the checks before
    starting (:func:`check_can_start`) and :func:`instance_lock` (one process per file); on
    PostgreSQL nothing, since any number of replicas may share the database."""
    if settings.postgres_url is not None:
        yield
        return
    check_can_start(settings.quizbot_database)
    with instance_lock(settings.quizbot_database):
        yield


# -- the console -------------------------------------------------------------------------


class _DaemonExecutor(concurrent.futures.ThreadPoolExecutor):
    """Runs each call on its own daemon thread, so a blocked stdin read never delays exit."""

    def submit(
        self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs
    ) -> concurrent.futures.Future[_T]:
        """Start ``fn`` on a new daemon thread."""
        future: concurrent.futures.Future[_T] = concurrent.futures.Future()

        def work() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:
                future.set_exception(exc)
            else:
                future.set_result(result)

        threading.Thread(target=work, name="quizbot-reader", daemon=True).start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Nothing to join: reader threads are daemons."""


class _LineReader:
    """``readline`` straight from a file descriptor: holds no Python I/O lock while it blocks."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._fd = stream.fileno()
        self._buffer = b""

    def isatty(self) -> bool:
        """Whether the underlying stream is a terminal."""
        return self._stream.isatty()

    def readline(self) -> str:
        """The next line with its newline; "" at end of input."""
        while b"\n" not in self._buffer:
            chunk = os.read(self._fd, 65536)
            if not chunk:
                line, self._buffer = self._buffer, b""
                return line.decode("utf-8", errors="replace")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line.decode("utf-8", errors="replace") + "\n"


def _fd_reader(stream: TextIO) -> TextIO:
    try:
        stream.fileno()
    except (OSError, ValueError, AttributeError):
        return stream
    return _LineReader(stream)  # type: ignore[return-value]


async def run_console_app(
    settings: Settings,
    *,
    seed: int | None = None,
    player: str = "you",
    channel: str = "general",
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
) -> int:
    """Run the console adapter until end of input, or until SIGTERM / SIGINT (exit 0)."""
    check_judge(settings)
    loop = asyncio.get_running_loop()
    loop.set_default_executor(_DaemonExecutor(max_workers=1))
    with start_lock(settings):
        async with (
            build_engine(settings, seed=seed) as engine,
            publisher_for(engine),
            daily_for(engine, settings, jobs=stdin.isatty()),
        ):
            interactive = stdin.isatty()
            session = ConsoleSession(engine, player_name=player, channel_name=channel)
            console = run_console(
                session, stdin=_fd_reader(stdin), stdout=stdout, interactive=interactive
            )
            return await _supervise(
                engine,
                {"console": console},
                with_timer=interactive,
                heartbeat=settings.heartbeat_file,
            )


# -- the platforms -----------------------------------------------------------------------

_RUNNERS = {
    "discord": ("bot.adapters.discord", "run_discord"),
    "slack": ("bot.adapters.slack", "run_slack"),
}


def platform_adapters(settings: Settings) -> dict[str, AdapterRunner]:
    """The adapters whose credentials are set, imported only now (platform libraries are big)."""
    enabled = {"discord": settings.discord_enabled, "slack": settings.slack_enabled}
    runners: dict[str, AdapterRunner] = {}
    for name, (module, attribute) in _RUNNERS.items():
        if enabled[name]:
            runners[name] = getattr(importlib.import_module(module), attribute)
    return runners


async def run(settings: Settings, *, adapters: Mapping[str, AdapterRunner] | None = None) -> int:
    """Run every adapter whose credentials are set; the console when none are.

    ``adapters`` replaces the platform adapters (tests). Returns the exit code: 0 after
    SIGTERM / SIGINT, 1 when an adapter stopped by itself.
    """
    check_platforms(settings)
    check_judge(settings)
    runners = platform_adapters(settings) if adapters is None else dict(adapters)
    if not runners:
        print(
            "No DISCORD_TOKEN or SLACK_BOT_TOKEN set: starting the console. "
            "See the README to connect Discord or Slack.",
            file=sys.stderr,
        )
        return await run_console_app(settings)
    with start_lock(settings):
        async with (
            build_engine(settings) as engine,
            publisher_for(engine),
            daily_for(engine, settings),
        ):
            loop = type(asyncio.get_running_loop())
            frozen = tune_collector()  # start-up heap frozen, fewer young collections
            log.info(
                "starting adapters: %s (event loop: %s; %d start-up objects frozen)",
                ", ".join(runners),
                loop.__module__,
                frozen,
            )
            coros = {name: runner(engine, settings) for name, runner in runners.items()}
            code = await _supervise(
                engine,
                coros,
                with_timer=True,
                stop_on_return=False,
                heartbeat=settings.heartbeat_file,
            )
            log.info("stopped; closing the database")
            return code


async def _supervise(
    engine: QuizEngine,
    coros: Mapping[str, Coroutine[Any, Any, Any]],
    *,
    with_timer: bool,
    stop_on_return: bool = True,
    heartbeat: Path | None = None,
) -> int:
    """Run ``coros`` (and the round timer) until a signal, or until one of them ends.

    A coroutine that returns ends the run with its return value when ``stop_on_return``
    (the console at end of input); otherwise, or when it raises, the run ends with code 1.
    With ``heartbeat`` (a file), the loop beats it meanwhile, with what stops the store from
    saving, if anything.
    """
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    # Tasks first: a coroutine object never wrapped in a task would leak, unawaited.
    tasks = {asyncio.create_task(coro, name=name): name for name, coro in coros.items()}
    timer = asyncio.create_task(run_round_timer(engine), name="timer") if with_timer else None
    if heartbeat is not None:
        beating = run_heartbeat(heartbeat, problem=engine.store.problem, file=heartbeat)
        tasks_extra = [asyncio.create_task(beating, name="heartbeat")]
    else:
        tasks_extra = []
    stopper = asyncio.create_task(stop.wait(), name="signal")
    handled: list[signal.Signals] = []
    code = 0
    try:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
            handled.append(sig)
        done, _ = await asyncio.wait([*tasks, stopper], return_when=asyncio.FIRST_COMPLETED)
        if stopper in done:
            log.info("signal received: shutting down")
        for task in done - {stopper}:
            code = _outcome(tasks[task], task, stop_on_return)
    finally:
        for sig in handled:
            loop.remove_signal_handler(sig)
        await _cancel_all([*tasks, *([timer] if timer else []), *tasks_extra, stopper])
    return code


def _outcome(name: str, task: asyncio.Task[Any], stop_on_return: bool) -> int:
    if task.cancelled():
        return 0
    exc = task.exception()
    if exc is not None:
        log.error("%s adapter failed: %s", name, exc, exc_info=exc)
        return 1
    if stop_on_return:
        result = task.result()
        return result if isinstance(result, int) else 0
    log.error("%s adapter stopped unexpectedly", name)
    return 1


async def _cancel_all(tasks: list[asyncio.Task[Any]]) -> None:
    """Cancel ``tasks`` and wait up to :data:`SHUTDOWN_GRACE_S` for them to finish."""
    pending = [task for task in tasks if not task.done()]
    for task in pending:
        task.cancel()
    if not pending:
        return
    _, stuck = await asyncio.wait(pending, timeout=SHUTDOWN_GRACE_S)
    for task in stuck:
        log.warning("%s did not stop within %.0f s", task.get_name(), SHUTDOWN_GRACE_S)
    for task in pending:
        if task.done() and not task.cancelled() and task.exception() is not None:
            log.warning("%s failed while stopping: %s", task.get_name(), task.exception())
