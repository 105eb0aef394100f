"""A generated French Zoom transcript (WebVTT) of a session, with one topic per ten minutes and the fillers of speech.

Three people talk in cues a few seconds long, the way Zoom writes them (« 12 », timing line, « Name: words »). Each
ten minutes has its own subject, named by the terms of ``TOPICS``; the rest is what people say around them (« euh
alors du coup », « oui, d'accord »), which must never become a keyword.
"""

from __future__ import annotations

import random

from bot.domain.transcripts import clock_time

SPEAKERS = ("Camille Martin", "Julien Petit", "Sophie Bernard")
TOPICS = (
    ("médiation numérique", "publics adolescents", "ateliers"),
    ("billetterie en ligne", "tarifs solidaires", "réservation"),
    ("captation vidéo", "diffusion en direct", "caméras"),
    ("droits d'auteur", "licences Creative Commons", "contrats"),
    ("réalité virtuelle", "casques", "spectacle immersif"),
    ("audiodescription", "sous-titrage", "accessibilité"),
    ("réseaux sociaux", "Instagram", "communication"),
    ("archives", "numérisation", "patrimoine"),
    ("tiers-lieux", "résidences", "coopération"),
    ("données personnelles", "RGPD", "consentement"),
    ("financements", "appels à projets", "mécénat"),
    ("sobriété numérique", "empreinte carbone", "hébergement"),
)
TEMPLATES = (
    "Euh alors du coup, {a} c'est vraiment central pour nous.",
    "Bon, voilà, on a travaillé sur {a} avec {b}, et en fait ça marche plutôt bien.",
    "Oui oui, d'accord, mais {a} ça pose quand même la question de {b}.",
    "Je pense que {a}, euh, c'est quelque chose qu'on doit partager entre structures.",
    "Alors là, par exemple, {b}, ben ça change tout pour les équipes.",
    "Ouais, et puis {c} aussi, hein, faut pas l'oublier.",
    "Merci, c'est super intéressant ce que tu dis.",
    "Est-ce que vous pouvez revenir un peu sur {a} ?",
    "Enfin bref, {c}, voilà quoi.",
    "Hum, oui. Tout à fait.",
    "Et nous on a commencé {b} l'année dernière, du coup on a un peu de recul sur {c}.",
    "C'est-à-dire que {a}, en fait, ça demande du temps et des moyens.",
)


def french_transcript(
    duration_seconds: int = 2 * 3600, *, seed: int = 13, every: tuple[float, float] = (2.5, 6.5)
) -> str:
    """A WebVTT transcript of ``duration_seconds``, a cue every few seconds (``every``, min and max)."""
    chance = random.Random(seed)
    blocks = ["WEBVTT", ""]
    start, number = 1.2, 1
    while start < duration_seconds - 1:
        length = chance.uniform(*every)
        end = min(start + length - 0.2, duration_seconds - 0.1)
        a, b, c = TOPICS[int(start // 600) % len(TOPICS)]
        words = chance.choice(TEMPLATES).format(a=a, b=b, c=c)
        blocks += [str(number), f"{_stamp(start)} --> {_stamp(end)}", f"{chance.choice(SPEAKERS)}: {words}", ""]
        start, number = start + length, number + 1
    return "\n".join(blocks)


def _stamp(seconds: float) -> str:
    return f"{clock_time(seconds)}.{int(seconds * 1000) % 1000:03d}"
