"""Both backends' installation stores implement :class:`storage.interface.InstallationStorage`:
the same methods, parameters, kinds and defaults as the protocol, and mypy agrees."""

from __future__ import annotations

import inspect

import pytest

from storage.installation_store import InstallationStore
from storage.interface import InstallationStorage
from storage.postgres.installations import PostgresInstallationStore


def _protocol_methods() -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in vars(InstallationStorage).items()
        if inspect.isfunction(member) and not name.startswith("_")
    }


def _shape(signature: inspect.Signature) -> list[tuple[str, object, object]]:
    return [(p.name, p.kind, p.default) for p in signature.parameters.values()]


@pytest.mark.parametrize("implementation", [InstallationStore, PostgresInstallationStore])
def test_each_installation_store_has_the_protocols_signatures(implementation: type) -> None:
    expected = _protocol_methods()
    assert "claim_refresh" in expected and "consume_state" in expected
    for name, signature in expected.items():
        method = getattr(implementation, name, None)
        assert method is not None, f"{implementation.__name__} lacks {name}"
        assert inspect.iscoroutinefunction(method), name
        assert _shape(inspect.signature(method)) == _shape(signature), (
            f"{implementation.__name__}.{name}{inspect.signature(method)} "
            f"is not InstallationStorage.{name}{signature}"
        )
    public = {
        name
        for name, _ in inspect.getmembers(implementation, inspect.iscoroutinefunction)
        if not name.startswith("_")
    }
    assert public == set(expected)


def as_storage(sqlite: InstallationStore, postgres: PostgresInstallationStore) -> None:
    """Checked by mypy --strict (the code-quality test): both are the protocol."""
    stores: list[InstallationStorage] = [sqlite, postgres]
    assert stores
