"""The cover card: 1200×630 PNG, the title always inside the card, the community's colours and logo, the config."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw

from bot.config import ConfigError, Settings, load_settings
from bot.services import cover
from bot.services.cover import CoverStyle, CoverText

LONG_FRENCH_TITLE = (
    "Billetterie mutualisée : comment les lieux culturels de Nouvelle-Aquitaine partagent leurs outils numériques, "
    "leurs données de fréquentation et leurs pratiques d'accueil des publics éloignés — retour d'expériences 🎭"
)


def card(text: CoverText, style: CoverStyle | None = None) -> Image.Image:
    data = cover.draw_cover(text, style or CoverStyle())
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image.convert("RGB")


def non_background_box(image: Image.Image, box: tuple[int, int, int, int]) -> tuple[int, int, int, int] | None:
    """Where something other than the background colour is drawn inside ``box``."""
    region = image.crop(box)
    background = Image.new("RGB", region.size, image.getpixel((box[0], box[1])))
    return ImageChops.difference(region, background).getbbox()


@pytest.mark.parametrize(
    "title",
    [
        "Atelier",
        LONG_FRENCH_TITLE,
        LONG_FRENCH_TITLE * 3,  # far too long: shrunk to the smallest size, then cut with « … »
        "Anticonstitutionnellementinterminablementlongmotsansaucuneespace" * 2,
    ],
    ids=["short", "long-french", "far-too-long", "one-huge-word"],
)
def test_the_title_never_leaves_the_card(title: str) -> None:
    image = card(CoverText(title, "mardi 4 mai 2027 à 14:00", "Atelier", "Fabrique collective"))

    assert image.size == (1200, 630)
    # Nothing drawn in the right margin, nor below the footer.
    assert non_background_box(image, (cover.WIDTH - cover.MARGIN + 4, 0, cover.WIDTH, cover.HEIGHT)) is None
    assert non_background_box(image, (cover.BAND, cover.HEIGHT - 30, cover.WIDTH, cover.HEIGHT)) is None
    # The title sits between the format line and the footer.
    drawn = non_background_box(image, (cover.BAND, cover.TITLE_TOP - 10, cover.WIDTH, cover.TITLE_BOTTOM + 10))
    assert drawn is not None
    assert drawn[1] >= 10 - 2 and drawn[3] <= cover.TITLE_BOTTOM - cover.TITLE_TOP + 10 + 2


def test_a_long_title_is_wrapped_and_a_far_too_long_one_ends_with_an_ellipsis() -> None:
    draw = ImageDraw.Draw(Image.new("RGB", (10, 10)))
    width, height = cover.WIDTH - 2 * cover.MARGIN, cover.TITLE_BOTTOM - cover.TITLE_TOP

    lines, font, line_height = cover.fit_title(draw, cover.drawable(LONG_FRENCH_TITLE), width, height)
    assert len(lines) >= 2 and len(lines) * line_height <= height
    assert " ".join(lines) == cover.drawable(LONG_FRENCH_TITLE)  # nothing lost, the emoji aside
    assert all(draw.textlength(line, font=font) <= width for line in lines)

    lines, font, line_height = cover.fit_title(draw, cover.drawable(LONG_FRENCH_TITLE * 3), width, height)
    assert len(lines) * line_height <= height and lines[-1].endswith("…")
    assert all(draw.textlength(line, font=font) <= width for line in lines)


def test_emoji_and_control_characters_are_left_out() -> None:
    assert cover.drawable("🎭 Atelier\u200d\ufe0f\n« théâtre »\x00 ") == "Atelier « théâtre »"


def test_the_community_colours_are_used_and_unreadable_text_is_fixed() -> None:
    image = card(CoverText("Atelier", "date", "Format"), CoverStyle(("#1d3557", "#f1faee", "#e63946")))
    assert image.getpixel((600, 10)) == (0x1D, 0x35, 0x57)  # background
    assert image.getpixel((5, 300)) == (0xE6, 0x39, 0x46)  # the accent band

    background, ink, _ = cover.palette(("#ffffff", "#fefefe"))  # white on white
    assert background == (255, 255, 255) and cover.contrast(ink, background) >= cover.MIN_TEXT_CONTRAST
    assert cover.palette(("#000",))[1] == (255, 255, 255)  # one colour: text in black or white


def test_the_logo_is_drawn_in_the_bottom_right_corner(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGBA", (400, 200), (255, 0, 0, 255)).save(logo)

    image = card(CoverText("Atelier", "mardi 4 mai 2027", "Atelier"), CoverStyle(("#1d3557", "#f1faee"), logo))

    right, bottom = cover.WIDTH - cover.MARGIN - 1, cover.HEIGHT - 61
    assert image.getpixel((right, bottom)) == (255, 0, 0)
    assert image.getpixel((right - cover.LOGO_BOX[0] + 1, bottom - cover.LOGO_BOX[1] + 1)) == (255, 0, 0)
    assert image.getpixel((right - cover.LOGO_BOX[0] - 2, bottom)) != (255, 0, 0)  # scaled into its box


def test_an_unreadable_logo_is_left_out(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"not an image")
    image = card(CoverText("Atelier", "date", "Atelier"), CoverStyle(("#1d3557", "#f1faee"), logo))
    assert image.size == (1200, 630)
    assert "left out of the cover" in caplog.text


def test_a_font_shipped_by_debian_is_used() -> None:
    path = cover.font_path("bold")
    assert path is not None and path.name == "DejaVuSans-Bold.ttf"  # scripts/test installs fonts-dejavu-core


async def test_write_cover_writes_the_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "covers" / "fabrique-3-couverture.png"
    await cover.write_cover(target, CoverText("Atelier", "date", "Atelier"), CoverStyle())
    assert Image.open(target).size == (1200, 630)
    assert [path.name for path in target.parent.iterdir()] == [target.name]


# --- [article] configuration ------------------------------------------------------------------------------------------


def test_article_settings_from_the_file(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGBA", (10, 10)).save(logo)
    config = tmp_path / "config.toml"
    config.write_text(f'[article]\ncolours = ["#000", "#FFFFFF", "#e63946"]\nlogo = "{logo}"\n', encoding="utf-8")

    settings = load_settings(config, environ={})

    assert settings.article.colours == ["#000", "#FFFFFF", "#e63946"]
    style = CoverStyle.from_settings(settings.article)
    assert style.logo == logo and style.colours == ("#000", "#FFFFFF", "#e63946")
    assert CoverStyle.from_settings(Settings().article) == CoverStyle()  # the defaults: no logo


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ('colours = ["bleu"]', "[article] colours"),
        ("colours = []", "[article] colours"),
        ('logo = "/nulle/part/logo.png"', "[article] logo"),
    ],
)
def test_a_bad_article_setting_stops_the_bot_naming_the_key(tmp_path: Path, body: str, named: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f"[article]\n{body}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(config, environ={})
    assert named in str(caught.value) and "\n" not in str(caught.value)


def test_without_any_font_file_pillow_s_own_font_draws_the_card(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cover, "font_path", lambda weight: None)
    cover._font.cache_clear()
    try:
        image = card(CoverText(LONG_FRENCH_TITLE, "mardi 4 mai 2027 à 14:00", "Atelier"))
    finally:
        cover._font.cache_clear()
    assert image.size == (1200, 630)
    assert non_background_box(image, (cover.WIDTH - cover.MARGIN + 4, 0, cover.WIDTH, cover.HEIGHT)) is None
    assert non_background_box(image, (cover.BAND, cover.TITLE_TOP, cover.WIDTH, cover.TITLE_BOTTOM)) is not None
