"""Slack installations on both backends: saved and replaced, found for a workspace (its own or
its organisation's), a refresh token spent once, OAuth states used once."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from storage.installation_store import InstallationRecord
from tests.backends.conftest import Backend
from tests.backends.support import open_round


def _installation(team_key: str, *, org: bool = False, at: float = 1.0) -> InstallationRecord:
    return InstallationRecord(
        team_key=team_key,
        enterprise_id=team_key if org else None,
        enterprise_name="Org" if org else None,
        enterprise_url=None,
        team_id=None if org else team_key,
        team_name=None if org else "Workspace",
        is_enterprise_install=org,
        app_id="A1",
        bot_id="B1",
        bot_user_id="U1",
        bot_scopes="chat:write,commands",
        bot_token=f"token-{team_key}",
        bot_refresh_token=f"refresh-{team_key}",
        bot_token_expires_at=5_000,
        installer_user_id="U9",
        token_type="bot",
        installed_at=at,
    )


async def test_installations_are_replaced_found_and_deleted(backend: Backend) -> None:
    store = backend.installations
    own = _installation("T1", at=2.0)
    org = _installation("E1", org=True, at=1.0)
    await store.save(own)
    await store.save(org)
    assert await store.find("T1") == own
    assert await store.find("T404") is None
    reinstalled = replace(own, bot_token="token-new", bot_refresh_token=None)
    await store.save(reinstalled)
    assert await store.find("T1") == reinstalled
    assert await store.all() == [org, reinstalled]
    assert await store.find_for_workspace("T1") == reinstalled
    assert await store.find_for_workspace("T2") is None
    await store.remember_org_workspace("T2", "E1")
    await store.remember_org_workspace("T3", "E1")
    await store.remember_org_workspace("T2", "E1")
    assert await store.find_for_workspace("T2") == org
    assert await store.workspaces_of("E1") == ["E1", "T2", "T3"]
    assert await store.delete("T1") is True
    assert await store.delete("T1") is False


async def test_a_refresh_token_is_spent_once(backend: Backend) -> None:
    store = backend.installations
    await store.save(_installation("T1"))
    claims = await asyncio.gather(
        *(store.claim_refresh("T1", "refresh-T1", 100.0, 30.0) for _ in range(6))
    )
    assert sorted(claims) == [False] * 5 + [True]
    assert await store.claim_refresh("T1", "refresh-T1", 200.0, 30.0) is True  # lease over
    await store.release_refresh("T1", "refresh-T1")
    assert await store.claim_refresh("T1", "refresh-T1", 201.0, 30.0) is True
    saved = await store.finish_refresh(
        "T1",
        used_refresh_token="refresh-T1",
        bot_token="token-2",
        bot_refresh_token="refresh-2",
        bot_token_expires_at=9_000,
    )
    assert saved is True
    again = await store.finish_refresh(
        "T1",
        used_refresh_token="refresh-T1",
        bot_token="token-3",
        bot_refresh_token="refresh-3",
        bot_token_expires_at=9_500,
    )
    assert again is False
    found = await store.find("T1")
    assert found is not None
    assert (found.bot_token, found.bot_refresh_token, found.bot_token_expires_at) == (
        "token-2",
        "refresh-2",
        9_000,
    )


async def test_an_oauth_state_works_once_and_expires(backend: Backend) -> None:
    store = backend.installations
    await store.add_state("s-1", 500.0)
    await store.add_state("s-old", 50.0)
    used = await asyncio.gather(*(store.consume_state("s-1", 100.0) for _ in range(3)))
    assert sorted(used) == [False, False, True]
    assert await store.consume_state("s-old", 100.0) is False


async def test_uninstalled_workspaces_pause_their_schedules_and_messages_name_teams(
    backend: Backend,
) -> None:
    store = backend.store
    one = await store.team_pk("slack", "T1")
    two = await store.team_pk("slack", "T2")
    await backend.add_daily_schedule(one, "C1")
    await backend.add_daily_schedule(one, "C2")
    await backend.add_daily_schedule(two, "C1")
    installations = backend.installations
    assert await installations.pause_daily("slack", [], "uninstalled") == 0
    assert await installations.pause_daily("slack", ["T1", "T9"], "uninstalled") == 2
    assert await installations.pause_daily("slack", ["T1"], "again") == 0
    assert await installations.pause_daily("discord", ["T2"], "uninstalled") == 0
    record = await open_round(store, two, "C1")
    await store.set_message(record.id, "C1", "1700000000.000100")
    assert await installations.team_of_message("slack", "C1", "1700000000.000100") == "T2"
    assert await installations.team_of_message("discord", "C1", "1700000000.000100") is None
