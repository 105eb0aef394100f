"""The bot on the Zoom-shaped server (tests/integration/zoom_fake.py), as the SimCord stories with Zoom run it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import NamedTuple

import discord
from pydantic import SecretStr

from bot.app import FabriqueBot, create_bot
from bot.config import Secrets, Settings
from bot.integrations.zoom import ZoomClient
from bot.services.clients import Clients, WebsiteFactory
from tests.behaviour.builders import add_slot, approved_fabrique, local_date
from tests.behaviour.conftest import World, build_world, configure, running, said
from tests.conftest import make_settings
from tests.integration.zoom_fake import (
    ZOOM_IDS,
    FakeZoom,
    resolve_public,
)


def bot_on_zoom(settings: Settings, zoom: FakeZoom, wordpress: WebsiteFactory | None = None) -> FabriqueBot:
    """The bot, its Zoom client pointed at the Zoom-shaped server (Zoom's download hosts included), and
    ``wordpress`` its website if given."""
    secret = settings.secrets.zoom_client_secret
    cloud = ZoomClient(
        account_id=settings.zoom.account_id,
        client_id=settings.zoom.client_id,
        client_secret=secret.get_secret_value() if secret else "",
        host_user=settings.zoom.host_user,
        api_base=settings.zoom.api_base,
        oauth_url=settings.zoom.oauth_url,
        clock=discord.utils.utcnow,
        auto_recording=settings.zoom.auto_recording,
        transport=zoom.transport(),
        resolve=resolve_public,
    )
    return create_bot(settings, clients=Clients(zoom=cloud, recordings=cloud, wordpress=wordpress))


def zoom_settings(tmp_path: Path, zoom: FakeZoom) -> Settings:
    settings = make_settings(
        tmp_path,
        zoom=zoom.settings(delete_cloud_recording=True),
    )
    return settings.model_copy(update={"secrets": Secrets(zoom_client_secret=SecretStr(ZOOM_IDS["client_secret"]))})


async def session_on_zoom(world: World, zoom: FakeZoom) -> tuple[int, int]:
    """Alice's Fabrique, booked: the bot creates the Zoom meeting (recording to the cloud) and announces it."""
    number = await approved_fabrique(world)
    slot = await add_slot(world, local_date(world, 20))
    booked = await world.alice.slash(world.general, "fabrique reserver", fabrique=number, creneau=slot)
    assert "annoncée" in said(booked).content
    (meeting,) = zoom.meetings.values()
    assert meeting["settings"]["auto_recording"] == "cloud"
    return number, meeting["id"]


class ZoomStory(NamedTuple):
    zoom: FakeZoom
    settings: Settings
    world: World
    number: int  # Alice's Fabrique, announced
    meeting_id: int  # its Zoom meeting on the Zoom-shaped server


@asynccontextmanager
async def zoom_story(tmp_path: Path) -> AsyncIterator[ZoomStory]:
    """The Zoom-shaped server, the bot on it in SimCord (configured), and Alice's Fabrique booked on a meeting."""
    async with FakeZoom(**ZOOM_IDS) as zoom:
        settings = zoom_settings(tmp_path, zoom)
        async with running(bot_on_zoom(settings, zoom), settle_timeout=10.0) as env:
            zoom.clock = env.now
            world = build_world(env)
            await configure(world)
            number, meeting_id = await session_on_zoom(world, zoom)
            yield ZoomStory(zoom, settings, world, number, meeting_id)
