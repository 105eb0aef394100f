"""Names and addresses of people the team registers without Discord: what is accepted, and one refusal each."""

from __future__ import annotations

import pytest

from bot.domain.outside import is_outsider, outsider_user_id, person_id, validated_email, validated_person
from bot.errors import InvalidInput


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("xaviere.dupont@exemple.fr", "xaviere.dupont@exemple.fr"),
        ("  Xaviere.Dupont@Exemple.FR ", "xaviere.dupont@exemple.fr"),
        ("prenom+fabrique@sous.domaine.example.org", "prenom+fabrique@sous.domaine.example.org"),
    ],
)
def test_usable_addresses_are_stored_trimmed_and_in_lower_case(typed: str, stored: str) -> None:
    assert validated_email(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "xaviere",
        "xaviere@exemple",
        "@exemple.fr",
        "xaviere@@exemple.fr",
        "xavière@exemple.fr",
        "xaviere dupont@exemple.fr",
        "xaviere@exemple.fr\r\nBcc: tous@exemple.fr",
        "Xavière <xaviere@exemple.fr>",
        "x..y@exemple.fr",
        "x@" + "a" * 250 + ".fr",
    ],
)
def test_unusable_addresses_get_one_clear_refusal(typed: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        validated_email(typed)
    assert refused.value.key == "error.outside.email"


def test_a_name_is_member_text_on_one_visible_line() -> None:
    assert validated_person("  Mme   Xavière  Dupont ", "x@exemple.fr") == ("Mme Xavière Dupont", "x@exemple.fr")
    for name, key in [
        ("", "error.input.empty"),
        ("x" * 101, "error.input.too_long"),
        ("Mme\x00Dupont", "error.input.control_characters"),
        ("\u202eDupont", "error.input.bidi"),
        ("=?utf-8?b?QQ==?=", "error.input.encoded_word"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            validated_person(name, "x@exemple.fr")
        assert refused.value.key == key and refused.value.params.get("field") == "nom"


def test_outsiders_never_share_an_id_with_a_discord_account() -> None:
    assert is_outsider(outsider_user_id(1)) and not is_outsider(123456789012345678)
    assert person_id(outsider_user_id(42)) == 42
