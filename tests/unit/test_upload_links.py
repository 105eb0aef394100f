"""Upload links of the web door: unguessable, stored hashed, bound to one Fabrique, single use, expiring; and the
pieces of the door that need no server (the attempt limiter, the first-bytes check, the pages, the settings)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import ConfigError, Settings, WebSettings, load_settings
from bot.db.engine import create_sessionmaker
from bot.db.models import UploadTokenRow
from bot.db.uow import unit_of_work_factory
from bot.domain.documentation import JobStatus
from bot.domain.uploads import LinkState, link_state, token_hash
from bot.errors import Forbidden, InvalidState
from bot.i18n import I18n
from bot.integrations.audio import AudioError
from bot.logs import redact
from bot.services import Services
from bot.services.documentation import Path3P, Submission
from bot.services.uploads import UPLOAD, LinkRefused, UploadService, uploaded_path, uploaded_recording
from bot.web.limits import AttemptLimiter
from bot.web.pages import message_page, upload_page
from bot.web.receiving import clean_name, looks_like_media
from tests.conftest import GUILD_ID
from tests.ports import FakeCards, FakeMessenger, FakeRunner
from tests.unit.builders import ALICE, BOB, STRANGER, TEAM, approved_fabrique
from tests.unit.conftest import FakeClock
from tests.unit.upload_builders import PUBLIC, held, received_file, token_of


@pytest.fixture
def messenger() -> FakeMessenger:
    return FakeMessenger()


@pytest.fixture
def runner() -> FakeRunner:
    return FakeRunner()


@pytest.fixture
def cards() -> FakeCards:
    return FakeCards()


@pytest.fixture
def uploads(
    services: Services,
    engine: AsyncEngine,
    clock: FakeClock,
    messenger: FakeMessenger,
    runner: FakeRunner,
    cards: FakeCards,
):
    return UploadService(
        unit_of_work_factory(create_sessionmaker(engine)),
        services.documentation,
        clock,
        cards=cards,
        public_url=PUBLIC + "/",
        upload_hours=72,
        messenger=messenger,
        runner=runner,
        i18n=services.i18n,
    )


async def stored(engine: AsyncEngine) -> list[UploadTokenRow]:
    async with create_sessionmaker(engine)() as session:
        return list((await session.execute(select(UploadTokenRow))).scalars())


# --- the rules ------------------------------------------------------------------------------------------------------


def test_a_token_is_stored_as_its_sha256() -> None:
    assert token_hash("abc") == hashlib.sha256(b"abc").hexdigest()
    assert len(token_hash("x" * 43)) == 64
    assert token_hash("\udcff") == token_hash("\udcff")  # any text hashes, even what no browser sends


def test_a_link_is_valid_until_it_expires_and_a_used_one_says_so() -> None:
    now = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    later = now + timedelta(hours=72)
    assert link_state(later, None, now) is LinkState.VALID
    assert link_state(later, None, later - timedelta(seconds=1)) is LinkState.VALID
    assert link_state(later, None, later) is LinkState.EXPIRED
    assert link_state(later, now, now) is LinkState.USED
    assert link_state(later, now, later + timedelta(days=1)) is LinkState.USED
    assert link_state(None, None, now) is LinkState.UNKNOWN


# --- issuing ----------------------------------------------------------------------------------------------------


async def test_a_link_reaches_its_holder_by_dm_and_only_its_hash_is_stored(
    services: Services, uploads: UploadService, messenger: FakeMessenger, engine: AsyncEngine, clock: FakeClock
) -> None:
    number = await held(services)
    link = await uploads.issue(GUILD_ID, number, ALICE)
    token = token_of(link.url)
    assert len(token) == 43  # secrets.token_urlsafe(32): 256 bits
    assert link.sent and link.expires_at == clock.now + timedelta(hours=72)
    assert [(dm.user_id, link.url in dm.text, f"n°{number}" in dm.text) for dm in messenger.dms] == [
        (ALICE.user_id, True, True)
    ]
    [row] = await stored(engine)
    assert (row.fabrique_id, row.issued_by, row.used_at, row.expires_at) == (
        number,
        ALICE.user_id,
        None,
        link.expires_at,
    )
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(vars(row))

    second = await uploads.issue(GUILD_ID, number, TEAM)  # the team may ask too; every link is different
    assert token_of(second.url) != token


async def test_a_link_is_only_for_those_who_may_document_now(services: Services, uploads: UploadService) -> None:
    number = await held(services)
    with pytest.raises(Forbidden):
        await uploads.issue(GUILD_ID, number, STRANGER)
    approved = await approved_fabrique(services, BOB)
    with pytest.raises(InvalidState) as refused:
        await uploads.issue(GUILD_ID, approved.id, BOB)
    assert refused.value.key == "error.documentation.too_early"


async def test_a_closed_dm_is_reported_to_the_caller(
    services: Services, uploads: UploadService, messenger: FakeMessenger
) -> None:
    number = await held(services)
    messenger.closed.add(ALICE.user_id)
    link = await uploads.issue(GUILD_ID, number, ALICE)
    assert not link.sent and link.url.startswith(f"{PUBLIC}/depot/")


# --- opening and using -------------------------------------------------------------------------------------------


async def test_a_link_opens_its_fabrique_until_it_expires(
    services: Services, uploads: UploadService, clock: FakeClock
) -> None:
    number = await held(services)
    token = token_of((await uploads.issue(GUILD_ID, number, ALICE)).url)
    target = await uploads.open(token)
    assert (target.state, target.fabrique and target.fabrique.id, target.refusal) == (LinkState.VALID, number, None)
    assert (await uploads.open(token + "x")).state is LinkState.UNKNOWN
    clock.advance(hours=72)
    assert (await uploads.open(token)).state is LinkState.EXPIRED
    with pytest.raises(LinkRefused) as refused:
        await uploads.receive(token, Path("/nonexistent"), "a.m4a", 1)
    assert refused.value.state is LinkState.EXPIRED


async def test_an_upload_uses_the_link_once_and_queues_the_job(
    services: Services, uploads: UploadService, runner: FakeRunner, engine: AsyncEngine, cards: FakeCards
) -> None:
    number = await held(services)
    token = token_of((await uploads.issue(GUILD_ID, number, ALICE)).url)
    received = received_file(uploads)

    record = await uploads.receive(token, received, "séance.m4a", 27)
    assert record.id == number and runner.started == [number]
    assert cards.shown[-1] == (GUILD_ID, number)  # the team's card shows the documentation in progress
    doc = await services.documentation.get(number)
    assert (doc.status, doc.source_kind, doc.source_name, doc.source_size, doc.requested_by, doc.path) == (
        JobStatus.QUEUED,
        UPLOAD,
        "séance.m4a",
        27,
        ALICE.user_id,
        Path3P.CLASSIQUE,
    )
    assert (doc.progress_channel_id, doc.progress_message_id) == (None, None)  # the job opens a fresh DM
    assert not received.exists()
    assert await uploaded_recording(uploads.work_dir, number) == uploaded_path(uploads.work_dir, number)
    assert (await uploads.open(token)).state is LinkState.USED
    [row] = await stored(engine)
    assert row.used_at is not None

    with pytest.raises(LinkRefused) as refused:  # the same link again
        await uploads.receive(token, received_file(uploads), "again.m4a", 27)
    assert refused.value.state is LinkState.USED
    assert runner.started == [number]


async def test_notes_given_before_are_kept_with_the_recording(services: Services, uploads: UploadService) -> None:
    number = await held(services)
    notes = Submission(path=Path3P.CLASSIQUE, notes="00:05:00 Accueil\nIdées clés", resources="https://tmnlab.com")
    await services.documenting.submit(GUILD_ID, number, ALICE, notes)
    token = token_of((await uploads.issue(GUILD_ID, number, ALICE)).url)
    await uploads.receive(token, received_file(uploads), "zoom.m4a", 27)
    doc = await services.documentation.get(number)
    assert (doc.notes, doc.resources, doc.source_kind) == (notes.notes, notes.resources, UPLOAD)


async def test_a_refused_upload_leaves_the_link_usable(
    services: Services, uploads: UploadService, runner: FakeRunner
) -> None:
    number = await held(services)
    first = token_of((await uploads.issue(GUILD_ID, number, ALICE)).url)
    second = token_of((await uploads.issue(GUILD_ID, number, ALICE)).url)
    await uploads.receive(first, received_file(uploads), "a.m4a", 27)
    pending = received_file(uploads)
    with pytest.raises(InvalidState) as refused:  # the first one's job is under way
        await uploads.receive(second, pending, "b.m4a", 27)
    assert refused.value.key == "error.documentation.busy"
    assert pending.exists()  # the caller deletes it
    assert (await uploads.open(second)).state is LinkState.VALID
    assert (await uploads.open(second)).refusal is not None  # the page says why before anything is sent
    assert runner.started == [number]


async def test_unknown_and_used_links_cost_the_same_single_query(
    services: Services, uploads: UploadService, engine: AsyncEngine
) -> None:
    number = await held(services)
    token = token_of((await uploads.issue(GUILD_ID, number, ALICE)).url)
    await uploads.receive(token, received_file(uploads), "a.m4a", 27)
    statements: list[str] = []

    def seen(connection, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement.split()[0].upper())

    event.listen(engine.sync_engine, "before_cursor_execute", seen)
    try:
        assert (await uploads.open("n" * 43)).state is LinkState.UNKNOWN
        unknown, statements[:] = list(statements), []
        assert (await uploads.open(token)).state is LinkState.USED
        used = list(statements)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", seen)
    assert [s for s in unknown if s == "SELECT"] == [s for s in used if s == "SELECT"] == ["SELECT"]
    assert unknown == used


async def test_a_lost_upload_is_a_clear_failure_and_leftovers_go(
    services: Services, uploads: UploadService, tmp_path: Path
) -> None:
    with pytest.raises(AudioError) as refused:
        await uploaded_recording(uploads.work_dir, 999)
    assert refused.value.key == "error.upload.gone"

    number = await held(services)
    token = token_of((await uploads.issue(GUILD_ID, number, ALICE)).url)
    await uploads.receive(token, received_file(uploads), "a.m4a", 27)
    orphan = uploaded_path(uploads.work_dir, number + 1)
    orphan.write_bytes(b"x")
    partial = uploads.work_dir / ".depot-0123456789abcdef.part"
    partial.write_bytes(b"x")
    unrelated = uploads.work_dir / f"{number}.source"  # the documentation jobs' own files are theirs to clean
    unrelated.write_bytes(b"x")
    assert await uploads.discard_leftovers() == 2
    assert uploaded_path(uploads.work_dir, number).exists()  # its job has not converted it yet
    assert not orphan.exists() and not partial.exists() and unrelated.exists()


# --- the pieces of the door --------------------------------------------------------------------------------------


def test_a_link_is_tried_at_most_n_times_per_window() -> None:
    now = [0.0]
    limiter = AttemptLimiter(5, 60.0, max_keys=3, clock=lambda: now[0])
    assert [limiter.allow("a") for _ in range(6)] == [True] * 5 + [False]
    assert limiter.retry_after("a") == 60
    assert limiter.allow("b")
    now[0] = 30.0
    assert not limiter.allow("a") and limiter.retry_after("a") == 30
    now[0] = 60.5
    assert limiter.allow("a") and limiter.allow("b") and limiter.allow("c")
    assert not limiter.allow("d")  # three links tried this minute: a fourth waits (memory stays bounded)
    now[0] = 200.0
    assert limiter.allow("d")  # the quiet ones were forgotten


@pytest.mark.parametrize(
    ("head", "media"),
    [
        (b"\x00\x00\x00\x1cftypM4A \x00\x00\x02\x00", True),
        (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00", True),
        (b"RIFF\x24\x08\x00\x00WAVEfmt ", True),
        (b"ID3\x04\x00\x00\x00\x00\x00\x00abcdef", True),
        (b"\xff\xfb\x90\x64" + bytes(12), True),
        (b"\xff\xf1\x50\x80" + bytes(12), True),
        (b"OggS\x00\x02" + bytes(10), True),
        (b"fLaC\x00\x00\x00\x22" + bytes(8), True),
        (b"\x1aE\xdf\xa3\x9fB\x86\x81\x01" + bytes(7), True),
        (b"#EXTM3U\n#EXT-X-VERSION:3\n", False),
        (b"<!doctype html><html>", False),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", False),
        (b"PK\x03\x04\x14\x00\x06\x00" + bytes(8), False),
        (b"RIFF\x24\x08\x00\x00AVI LIST", False),
        (b"file '/etc/passwd'\n", False),
    ],
)
def test_the_first_bytes_say_whether_a_file_may_be_a_recording(head: bytes, media: bool) -> None:
    assert looks_like_media(head) is media


def test_an_upload_link_in_a_log_line_is_masked() -> None:
    line = "GET https://fabrique.example.org/depot/Zq3-x_9AbcDEF?x=1 failed; /depot/Zq3-x_9AbcDEF again"
    assert redact(line) == "GET https://fabrique.example.org/depot/…?… failed; /depot/… again"


def test_file_names_are_kept_harmless() -> None:
    assert clean_name("S%C3%A9ance%20du%2015%20mars.m4a") == "Séance du 15 mars.m4a"
    assert clean_name("C:\\Users\\moi\\zoom_0.m4a") == "zoom_0.m4a"
    assert clean_name("../../etc/passwd") == "passwd"
    assert clean_name("a\x00b\r\nc.m4a") == "a b c.m4a"
    assert clean_name("") == "enregistrement"
    assert len(clean_name("x" * 1000)) == 200


def test_the_pages_escape_member_text_and_fetch_nothing() -> None:
    record = _record("<script>alert('x')</script> & « co »")
    page = upload_page(I18n("fr"), record, datetime(2027, 3, 4, 9, tzinfo=UTC), 2048, "NONCE", "/depot/t")
    assert "<script>alert" not in page and "&lt;script&gt;alert('x')&lt;/script&gt; &amp; « co »" in page
    assert '<script nonce="NONCE">' in page and page.count("<script") == 1
    assert "jeudi 4 mars 2027 à 10:00" in page and "2048 Mo au plus" in page
    assert "http" not in page.replace("XMLHttpRequest", "")
    english = message_page(I18n("en"), "Upload refused", "Nope <b>", fabrique=record, again="/depot/t")
    assert 'lang="en"' in english and "Nope &lt;b&gt;" in english and 'href="/depot/t"' in english


def _record(title: str):
    from bot.domain.lifecycle import State
    from bot.domain.proposal import Format, Parcours
    from bot.services.records import FabriqueRecord

    moment = datetime(2027, 3, 1, tzinfo=UTC)
    return FabriqueRecord(
        id=12, guild_id=GUILD_ID, organizer_id=ALICE.user_id, coorganizer_ids=(), format=Format.ATELIER,
        parcours=Parcours.CLASSIQUE, duration_minutes=120, title=title, description="", speaker="", needs="",
        state=State.DOCUMENTATION_DUE, revision=1, last_reason=None, card_channel_id=None, card_message_id=None,
        created_at=moment, updated_at=moment,
    )  # fmt: skip


# --- the settings ------------------------------------------------------------------------------------------------


def test_the_web_door_is_off_by_default_and_needs_its_public_address_when_on() -> None:
    web = Settings().web
    assert (web.enabled, web.listen, web.public_url, web.upload_hours) == (False, "127.0.0.1:8080", "", 72)
    assert (web.host, web.port) == ("127.0.0.1", 8080)
    assert Settings(web=WebSettings(enabled=True)).missing_integration_keys() == ["[web] public_url"]
    on = Settings(web=WebSettings(enabled=True, public_url="https://fabrique.example.org/", listen="[::1]:9000"))
    assert on.missing_integration_keys() == [] and on.web.public_url == "https://fabrique.example.org"
    assert (on.web.host, on.web.port) == ("::1", 9000)


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ('public_url = "http://fabrique.example.org"', "[web] public_url"),
        ('public_url = "https://fabrique.example.org/?a=1"', "[web] public_url"),
        ('public_url = "fabrique.example.org"', "[web] public_url"),
        ('listen = "8080"', "[web] listen"),
        ('listen = "0.0.0.0:70000"', "[web] listen"),
        ("upload_hours = 0", "[web] upload_hours"),
    ],
)
def test_a_bad_web_value_is_named(tmp_path: Path, line: str, key: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"[web]\nenabled = true\n{line}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_settings(path, environ={})
    assert key in str(refused.value) and "\n" not in str(refused.value)


def test_a_local_trial_may_use_plain_http_on_this_machine() -> None:
    assert WebSettings(public_url="http://127.0.0.1:8080").public_url == "http://127.0.0.1:8080"
    assert WebSettings(public_url="http://localhost:8080/fabrique").public_url == "http://localhost:8080/fabrique"
