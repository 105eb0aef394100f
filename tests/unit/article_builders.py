"""The article's context and labels as the article tests use them, and ``compose`` with empty defaults."""

from __future__ import annotations

from bot.services import articles

CONTEXT = articles.ArticleContext(
    title="Titre",
    date="mardi 4 mai 2027 à 14:00",
    format_label="Atelier",
    parcours_label="Classique",
    method="Fabrique collective",
    organizers="Alice, Bob",
    speaker="",
)


LABELS = articles.ArticleLabels(
    "Contexte", "Date", "Format", "Parcours", "Animation", "Organisation", "Intervenant·e", "Notes",
    "Compte-rendu", "Ressources", "Repères", "Écouter",
)  # fmt: skip


def compose(**given: object) -> str:
    values: dict[str, object] = {
        "notes": "",
        "report": "",
        "resources": "",
        "chat": None,
        "transcript": None,
        "audio_url": None,
    }
    values.update(given)
    context = values.pop("context", CONTEXT)
    labels = values.pop("labels", LABELS)
    return articles.compose(context, labels, **values)  # type: ignore[arg-type]
