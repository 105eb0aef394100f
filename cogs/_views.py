"""Modals shared by the cogs (a form of text inputs handed to a handler by custom_id), and what the proposal form
needs around it: the format and parcours choices, the draft it makes, the reply to an edit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import ui
from discord.app_commands import Choice, locale_str

from bot.domain.lifecycle import Action, State
from bot.domain.proposal import (
    DESCRIPTION_MAX,
    NEEDS_MAX,
    REASON_MAX,
    SPEAKER_MAX,
    TITLE_MAX,
    Format,
    Parcours,
    ProposalDraft,
    ProposalText,
)
from bot.domain.text import shown
from bot.errors import InvalidInput
from bot.i18n import I18n
from bot.services.corrections import Corrected
from bot.services.records import FabriqueRecord
from cogs._feedback import i18n_of, reply, report_error

ModalHandler = Callable[[discord.Interaction, dict[str, str]], Awaitable[None]]


class FormModal(ui.Modal):
    """A modal of text inputs whose values are handed, by custom_id, to a handler; errors go to the reporter."""

    def __init__(self, title: str, handler: ModalHandler) -> None:
        super().__init__(title=title[:45], timeout=1800)
        self._handler = handler
        self._inputs: list[ui.TextInput[Any]] = []

    def add_text(
        self,
        custom_id: str,
        label: str,
        hint: str,
        *,
        max_length: int,
        required: bool = True,
        paragraph: bool = False,
        default: str | None = None,
    ) -> None:
        text_input: ui.TextInput[Any] = ui.TextInput(
            custom_id=custom_id,
            style=discord.TextStyle.paragraph if paragraph else discord.TextStyle.short,
            max_length=max_length,
            required=required,
            default=default or None,
        )
        self._inputs.append(text_input)
        self.add_item(ui.Label(text=label, description=hint, component=text_input))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await self._handler(interaction, {item.custom_id: item.value for item in self._inputs})

    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:
        await report_error(interaction, error)
        if isinstance(error, InvalidInput):
            await self._give_back_text(interaction)

    async def _give_back_text(self, interaction: discord.Interaction) -> None:
        """A refused form is gone from the screen: hand the person back what they typed, so nothing is lost."""
        typed = [item.value.strip() for item in self._inputs if item.value and item.value.strip()]
        if not typed:
            return
        text = "\n\n".join(typed).replace("```", "ʼʼʼ")[:1800]
        await reply(interaction, i18n_of(interaction)("modal.give_back") + f"\n```\n{text}\n```")


def proposal_modal(i18n: I18n, title: str, handler: ModalHandler, current: FabriqueRecord | None = None) -> FormModal:
    """The four fields of a proposal (SPEC §5 custom_ids), prefilled with ``current`` when editing."""
    modal = FormModal(title, handler)
    modal.add_text(
        "titre", i18n("label.titre"), i18n("hint.titre"), max_length=TITLE_MAX, default=current and current.title
    )
    modal.add_text(
        "description",
        i18n("label.description"),
        i18n("hint.description"),
        max_length=DESCRIPTION_MAX,
        paragraph=True,
        default=current and current.description,
    )
    modal.add_text(
        "intervenant",
        i18n("label.intervenant"),
        i18n("hint.intervenant"),
        max_length=SPEAKER_MAX,
        required=False,
        default=current and current.speaker,
    )
    modal.add_text(
        "besoins",
        i18n("label.besoins"),
        i18n("hint.besoins"),
        max_length=NEEDS_MAX,
        required=False,
        paragraph=True,
        default=current and current.needs,
    )
    return modal


def reason_modal(i18n: I18n, action: Action, number: int, handler: ModalHandler) -> FormModal:
    modal = FormModal(i18n(f"modal.{action.value}.title", number=number), handler)
    modal.add_text(
        "motif", i18n("label.motif"), i18n(f"hint.motif.{action.value}"), max_length=REASON_MAX, paragraph=True
    )
    return modal


FORMAT_CHOICES = [
    Choice(name=locale_str(name), value=value.value)
    for value, name in (
        (Format.ATELIER, "Atelier"),
        (Format.ARPENTAGE, "Arpentage"),
        (Format.FOCUS_GROUP, "Focus group"),
        (Format.LIVING_LAB, "Living lab"),
        (Format.GROUPE_DE_TRAVAIL, "Groupe de travail"),
        (Format.AUTRE, "Autre"),
    )
]
PARCOURS_CHOICES = [
    Choice(name=locale_str("Classique (quelques jours de préparation)"), value=Parcours.CLASSIQUE.value),
    Choice(name=locale_str("Express (atelier 3P prêt à produire)"), value=Parcours.EXPRESS.value),
]


def checked_coorganizer(member: discord.Member | None) -> int | None:
    if member is None:
        return None
    if member.bot:
        raise InvalidInput("error.input.coorganizer_bot")
    return member.id


def checked_person(member: discord.Member | None) -> int | None:
    """An organizer or co-organizer the team names: a person, never a bot."""
    if member is not None and member.bot:
        raise InvalidInput("error.correct.bot")
    return member.id if member is not None else None


def form_text(values: dict[str, str]) -> ProposalText:
    return ProposalText(
        title=values.get("titre", ""),
        description=values.get("description", ""),
        speaker=values.get("intervenant", ""),
        needs=values.get("besoins", ""),
    )


def corrected_text(i18n: I18n, corrected: Corrected) -> str:
    record = corrected.fabrique
    if not corrected.changes:
        return i18n("correct.unchanged", number=record.id, title=shown(record.title))
    fields = ", ".join(i18n(f"edit.field.{change.field.value}") for change in corrected.changes)
    return i18n("correct.done", number=record.id, title=shown(record.title), fields=fields, revision=record.revision)


def proposal_draft(
    values: dict[str, str], format: Format, parcours: Parcours, duration: int, coorganizer_id: int | None
) -> ProposalDraft:
    return ProposalDraft(
        format=format,
        parcours=parcours,
        duration_minutes=duration,
        title=values.get("titre", ""),
        description=values.get("description", ""),
        speaker=values.get("intervenant", ""),
        needs=values.get("besoins", ""),
        coorganizer_id=coorganizer_id,
    )


def edited_text(i18n: I18n, before: FabriqueRecord, after: FabriqueRecord) -> str:
    text = i18n("edit.done", number=after.id, title=shown(after.title), revision=after.revision)
    if before.state is State.CHANGES_REQUESTED and after.state is State.PROPOSED:
        text += "\n" + i18n("edit.resubmitted")
    return text
