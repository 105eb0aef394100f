"""Member text, checked where it leaves the bot: the title rules, the CSV cell, and — on the source of the cogs —
that every member field put into a Discord message goes through ``_render.shown`` (escaped Markdown)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.domain.text import line_problem, spreadsheet_cell

COGS = Path(__file__).resolve().parents[2] / "cogs"
# Attributes of records that hold what a member typed.
MEMBER_FIELDS = frozenset({"title", "description", "speaker", "needs", "reason", "last_reason", "notes", "report"})
# Where Discord renders Markdown: i18n parameters, embed titles and descriptions, field values.
RENDERED_KEYWORDS = frozenset({"title", "description", "speaker", "needs", "reason", "summary", "value"})
ESCAPERS = frozenset({"shown", "escape_markdown"})


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Atelier\x00", "error.input.control_characters"),
        ("Atelier \x1b[1m", "error.input.control_characters"),
        ("Atelier \x7f", "error.input.control_characters"),
        ("Atelier \x9b", "error.input.control_characters"),
        ("txt.\u202eexe", "error.input.bidi"),
        ("\u2067Atelier", "error.input.bidi"),
        ("Atelier \u200f", "error.input.bidi"),
        ("=?utf-8?b?eA0KUmVwbHktVG86IHg=?=", "error.input.encoded_word"),
        ("Atelier =?iso-8859-1?Q?x?= fin", "error.input.encoded_word"),
        ("\u200b\u200d\ufeff", "error.input.invisible"),
        ("\u3164 \u2800 \u115f", "error.input.invisible"),
        ("\u0301\u20dd", "error.input.invisible"),
    ],
)
def test_a_title_that_hides_characters_has_a_problem(text: str, key: str) -> None:
    assert line_problem(text) == key


@pytest.mark.parametrize(
    "text", ["Les tiers-lieux culturels", "Café 👩‍💻 numérique", "L'IA ? =? quoi", "עברית et français", "x", ""]
)
def test_visible_text_has_no_problem(text: str) -> None:
    assert line_problem(text) is None


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("https://evil.example")', '\'=HYPERLINK("https://evil.example")'),
        ("+33 6 12", "'+33 6 12"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Camille", "Camille"),
        ("Anne-Marie", "Anne-Marie"),
        ("", ""),
    ],
)
def test_a_cell_a_spreadsheet_would_compute_is_kept_as_text(value: str, cell: str) -> None:
    assert spreadsheet_cell(value) == cell


def _is_escape(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    return name in ESCAPERS


def _raw_member_reads(node: ast.AST) -> Iterator[ast.Attribute]:
    """Reads of a member field that no escaper wraps."""
    if _is_escape(node):
        return
    if isinstance(node, ast.Attribute) and node.attr in MEMBER_FIELDS:
        yield node
    for child in ast.iter_child_nodes(node):
        yield from _raw_member_reads(child)


def _renders_markdown(call: ast.Call) -> bool:
    """A catalogue text (not an autocomplete choice, which Discord shows as plain text), an embed or a field."""
    func = call.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    if name == "i18n":
        first = call.args[0] if call.args else None
        return not (isinstance(first, ast.Constant) and str(first.value).startswith("autocomplete."))
    return name in ("Embed", "add_field")


def test_every_member_field_put_into_a_discord_message_is_escaped() -> None:
    unescaped = []
    for path in sorted(COGS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, ast.Call) or not _renders_markdown(node):
                continue
            for keyword in node.keywords:
                if keyword.arg in RENDERED_KEYWORDS:
                    unescaped += [
                        f"{path.name}:{read.lineno} {ast.unparse(read)}" for read in _raw_member_reads(keyword)
                    ]
    assert unescaped == [], "wrap member text in _render.shown(): " + ", ".join(unescaped)
