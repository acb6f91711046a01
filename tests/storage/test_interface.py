"""Store implements the Storage protocol, and mypy is what holds it to that."""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
from pathlib import Path

from storage import interface
from storage.interface import Storage
from storage.store import Store

ROOT = Path(__file__).resolve().parents[2]

SUB_STORES = {
    "reviews": interface.ReviewStorage,
    "interviews": interface.InterviewStorage,
    "settlements": interface.SettlementStorage,
    "seasons": interface.SeasonStorage,
    "analytics": interface.AnalyticsStorage,
    "digests": interface.DigestStorage,
    "rewards": interface.RewardStorage,
    "daily": interface.DailyStorage,
    "publications": interface.PublicationStorage,
}


def _methods(protocol: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in vars(protocol).items()
        if inspect.isfunction(member) and not name.startswith("_")
    }


def _same_shape(expected: inspect.Signature, actual: inspect.Signature) -> bool:
    """Same parameter names, kinds and defaults (annotations are mypy's business); the
    implementation may add keyword-only parameters with defaults of its own (a backend's
    extension no caller of the protocol passes)."""
    want = [(p.name, p.kind, p.default) for p in expected.parameters.values()]
    got = [
        (p.name, p.kind, p.default)
        for p in actual.parameters.values()
        if p.name in expected.parameters
        or p.kind is not inspect.Parameter.KEYWORD_ONLY
        or p.default is inspect.Parameter.empty
    ]
    return sorted(want, key=str) == sorted(got, key=str) and [
        w for w in want if w[1] is not inspect.Parameter.KEYWORD_ONLY
    ] == [g for g in got if g[1] is not inspect.Parameter.KEYWORD_ONLY]


async def test_store_and_its_sub_stores_have_every_protocol_method(tmp_path: Path) -> None:
    store: Storage = await Store.open(tmp_path / "q.db")
    try:
        checked = [(Storage, store)] + [
            (protocol, getattr(store, name)) for name, protocol in SUB_STORES.items()
        ]
        for protocol, implementation in checked:
            for name, signature in _methods(protocol).items():
                method = getattr(type(implementation), name, None)
                assert method is not None, f"{type(implementation).__name__} lacks {name}"
                assert _same_shape(signature, inspect.signature(method)), (
                    f"{type(implementation).__name__}.{name}{inspect.signature(method)} "
                    f"is not {protocol.__name__}.{name}{signature}"
                )
                assert inspect.iscoroutinefunction(method) == inspect.iscoroutinefunction(
                    getattr(protocol, name)
                ), name
        assert store.daily is store.daily  # built once, like every sub-store
        assert all(getattr(store, name) is getattr(store, name) for name in SUB_STORES)
    finally:
        await store.close()


def test_the_protocols_depend_on_no_sqlite_module() -> None:
    """The interface speaks in storage.records' values only (and, for now, the rows of the
    daily store, of the publication queue and of Slack installations, defined beside their
    SQL), so a second backend implements it without SQLite's modules."""
    source = (ROOT / "storage" / "interface.py").read_text(encoding="utf-8")
    assert "sqlite3" not in source and "aiosqlite" not in source
    imported = {
        node.module
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert {m for m in imported if m.startswith("storage")} == {
        "storage.records",
        "storage.daily_store",
        "storage.outbox_store",
        "storage.installation_store",
    }


CONFORMANCE = """
from storage.interface import Storage, ReviewStorage
from storage.review_store import ReviewStore
from storage.store import Store


def as_storage(store: Store) -> Storage:
    return store


def as_reviews(reviews: ReviewStore) -> ReviewStorage:
    return reviews


class HalfStore(Store):
    async def get_round(self, round_id: str) -> None:  # type: ignore[override]
        return None


def broken(store: HalfStore) -> Storage:
    return store  # the only error expected
"""


def test_mypy_accepts_store_as_storage_and_refuses_a_class_that_differs(tmp_path: Path) -> None:
    checked = tmp_path / "conformance.py"
    checked.write_text(CONFORMANCE, encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file=",
            "--strict",
            "--follow-imports=silent",
            f"--cache-dir={tmp_path / 'cache'}",
            str(checked),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1, result.stdout + result.stderr
    line = CONFORMANCE.splitlines().index("    return store  # the only error expected") + 1
    assert f"{checked.name}:{line}:" in errors[0], errors
    assert '"HalfStore"' in errors[0] and '"Storage"' in errors[0], errors
