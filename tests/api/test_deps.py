"""The typed dependencies hand a handler its own app's state, and only an app built by
`create_app` has one."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from supportdesk.api.deps import (
    AppSettings,
    Authenticator,
    Db,
    Limiter,
    State,
    install_state,
    state_of,
)
from tests.support import AppFactory, client_for


async def test_each_alias_is_the_serving_apps_own_object(make_app: AppFactory) -> None:
    apps = [make_app(), make_app(timezone="Europe/Stockholm")]
    seen: list[tuple[object, ...]] = []
    for app in apps:

        @app.get("/probe")
        async def probe(
            state: State,
            settings: AppSettings,
            db: Db,
            limiter: Limiter,
            authenticator: Authenticator,
        ) -> dict[str, str]:
            seen.append((state, settings, db, limiter, authenticator))
            return {"zone": settings.timezone}

        async with client_for(app) as client:
            response = await client.get("/probe")
        assert response.status_code == 200, response.text
        assert response.json() == {"zone": state_of(app).settings.timezone}
    for app, (state, settings, db, limiter, authenticator) in zip(apps, seen, strict=True):
        own = state_of(app)
        assert state is own
        assert (settings, db, limiter, authenticator) == (
            own.settings,
            own.db,
            own.limiter,
            own.authenticator,
        )
    assert seen[0][1] is not seen[1][1]
    assert state_of(apps[1]).settings.timezone == "Europe/Stockholm"


def test_the_state_is_set_once(make_app: AppFactory) -> None:
    app = make_app()
    with pytest.raises(RuntimeError, match="set once"):
        install_state(app, state_of(app))


def test_an_app_not_built_by_create_app_has_no_state() -> None:
    with pytest.raises(RuntimeError, match="create_app"):
        state_of(FastAPI())
