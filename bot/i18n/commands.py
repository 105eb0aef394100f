"""Slash command names and descriptions: French in the code, English localisations through discord.py's Translator.

Discord shows each user the localisation for their client's language; the French base is what everyone else sees.
"""

from __future__ import annotations

import discord
from discord import app_commands

ENGLISH: dict[str, str] = {
    # Groups.
    "fabrique": "workshop",
    "Proposer, suivre et documenter vos Fabriques collectives": "Propose, follow and document your collective workshops",
    "equipe": "team",
    "Outils de l'équipe : configuration, créneaux, suivi": "Team tools: configuration, slots, follow-up",
    # /fabrique proposer
    "proposer": "propose",
    "Proposer une Fabrique collective à l'équipe": "Propose a collective workshop to the team",
    "format": "format",
    "La forme de la session": "The kind of session",
    "parcours": "track",
    "Classique (quelques jours de préparation) ou express (atelier 3P)": "Classic (a few days) or express (3P workshop)",
    "duree": "length",
    "La durée de la session": "How long the session lasts",
    "coorganisateur": "co-organizer",
    "Un·e membre qui organise avec vous (facultatif)": "A member organizing with you (optional)",
    # /fabrique modifier, retirer, mes-fabriques
    "modifier": "edit",
    "Modifier une de vos propositions": "Edit one of your proposals",
    "Le numéro de la Fabrique (n°…)": "The workshop number (n°…)",
    "Nouveau format (facultatif)": "New format (optional)",
    "Nouveau parcours (facultatif)": "New track (optional)",
    "Nouvelle durée (facultatif)": "New length (optional)",
    "Nouveau·elle coorganisateur·ice (facultatif)": "New co-organizer (optional)",
    "retirer": "withdraw",
    "Retirer une de vos propositions": "Withdraw one of your proposals",
    "mes-fabriques": "my-workshops",
    "Vos Fabriques et leur état": "Your workshops and their state",
    # /equipe configurer
    "configurer": "configure",
    "Choisir les rôles et salons du bot (permission Gérer le serveur)": "Choose the bot's roles and channels (Manage Server)",
    "role_equipe": "team_role",
    "Le rôle de l'équipe, qui modère les propositions": "The team role, who moderates proposals",
    "role_membre": "member_role",
    "Le rôle des membres (sinon tout le serveur)": "The member role (otherwise the whole server)",
    "salon_equipe": "team_channel",
    "Le salon privé de l'équipe (cartes de modération, alertes)": "The team's private channel (moderation cards, alerts)",
    "salon_agenda": "agenda_channel",
    "Le salon des annonces de sessions": "The channel where sessions are announced",
    "forum_articles": "articles_forum",
    "Le forum réservé aux membres pour les articles": "The members-only forum for articles",
    # Choices.
    "Atelier": "Workshop",
    "Arpentage": "Arpentage (collective reading)",
    "Focus group": "Focus group",
    "Living lab": "Living lab",
    "Groupe de travail": "Working group",
    "Autre": "Other",
    "Classique (quelques jours de préparation)": "Classic (a few days of preparation)",
    "Express (atelier 3P prêt à produire)": "Express (ready-to-produce 3P workshop)",
}

_ENGLISH_LOCALES = {discord.Locale.american_english, discord.Locale.british_english}


class CommandTranslator(app_commands.Translator):
    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        if locale in _ENGLISH_LOCALES:
            return ENGLISH.get(string.message)
        return None
