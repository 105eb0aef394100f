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
    "Modifier une de vos Fabriques, même annoncée": "Edit one of your workshops, even announced",
    "Le numéro de la Fabrique (n°…)": "The workshop number (#…)",
    "Nouveau format (facultatif)": "New format (optional)",
    "Nouveau parcours (facultatif)": "New track (optional)",
    "Nouvelle durée (facultatif)": "New length (optional)",
    "Un·e coorganisateur·ice de plus (facultatif)": "One more co-organizer (optional)",
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
    # /equipe creneau-ajouter, creneau-retirer, creneaux; /fabrique creneaux, reserver, liberer
    "creneau-ajouter": "add-slot",
    "Ouvrir un créneau sur le Zoom de la communauté": "Open a slot on the community's Zoom",
    "date": "date",
    "Le jour, JJ/MM/AAAA (heure de Paris)": "The day, DD/MM/YYYY (Paris time)",
    "heure": "time",
    "L'heure de début, HH:MM": "The start time, HH:MM",
    "La durée du créneau en minutes (ex. 150)": "The slot's length in minutes (e.g. 150)",
    "creneau-retirer": "remove-slot",
    "Retirer un créneau libre": "Remove a free slot",
    "creneau": "slot",
    "Le numéro du créneau (n°…)": "The slot number (#…)",
    "creneaux": "slots",
    "Tous les créneaux à venir, libres ou réservés": "All upcoming slots, free or booked",
    "Les créneaux libres pour votre Fabrique": "The free slots for your workshop",
    "reserver": "book",
    "Réserver un créneau pour votre Fabrique": "Book a slot for your workshop",
    "Le numéro de votre Fabrique (n°…)": "Your workshop number (#…)",
    "places": "seats",
    "Nombre de places (facultatif ; 0 = limite de Zoom)": "Number of seats (optional; 0 = Zoom's limit)",
    "liberer": "release",
    "Libérer le créneau de votre Fabrique": "Release your workshop's slot",
    # /fabrique inscrire, desinscrire, lien, inscrits, agenda
    "inscrire": "register",
    "Vous inscrire à une session annoncée": "Register for an announced session",
    "desinscrire": "unregister",
    "Vous désinscrire d'une session": "Unregister from a session",
    "lien": "link",
    "Recevoir le lien Zoom d'une session où vous êtes inscrit·e": "Get the Zoom link of a session you're registered for",
    "inscrits": "registrants",
    "La liste des inscrit·es (organisation et équipe)": "The list of registrants (organizers and team)",
    "Le numéro de la session (n°…)": "The session number (#…)",
    "agenda": "agenda",
    "Les prochaines sessions, avec leur fichier agenda (.ics)": "The upcoming sessions, with their calendar file (.ics)",
    # /equipe modifier
    "Corriger une Fabrique : textes, places, organisation": "Correct a workshop: texts, seats, organizers",
    "organisateur": "organizer",
    "La personne qui organise désormais (prévenue par message privé)": "Who organizes it from now on (told by DM)",
    "ajouter_coorganisateur": "add_coorganizer",
    "Un·e coorganisateur·ice à ajouter": "A co-organizer to add",
    "retirer_coorganisateur": "remove_coorganizer",
    "Un·e coorganisateur·ice à retirer": "A co-organizer to remove",
    "Le nombre de places (0 = limite de Zoom ; jamais moins que les inscrit·es)": (
        "Number of seats (0 = Zoom's limit; never fewer than registrants)"
    ),
    # /equipe lien-zoom, annuler, accueil
    "lien-zoom": "zoom-link",
    "Donner ou remplacer le lien Zoom d'une Fabrique": "Give or replace a workshop's Zoom link",
    "url": "url",
    "Le lien Zoom (https://…), envoyé seulement aux inscrit·es": "The Zoom link (https://…), sent to registrants only",
    "annuler": "cancel",
    "Annuler une session programmée ou annoncée": "Cancel a scheduled or announced session",
    "motif": "reason",
    "Pourquoi la session est annulée (envoyé aux inscrit·es)": "Why the session is cancelled (sent to registrants)",
    "accueil": "welcome",
    "Programmer les sessions d'accueil « 30 min chrono »": "Schedule the “30 minutes flat” welcome sessions",
    "jour": "day",
    "Le jour de la semaine": "The day of the week",
    "rang": "which",
    "Lequel dans le mois (ex. le premier mardi)": "Which one in the month (e.g. the first Tuesday)",
    "nombre": "count",
    "Combien de sessions programmer (1 à 12)": "How many sessions to schedule (1 to 12)",
    # /equipe suivi
    "suivi": "dashboard",
    "Le tableau de bord : états et documentations attendues": "The dashboard: statuses and expected documentation",
    # Choices.
    "Atelier": "Workshop",
    "Arpentage": "Arpentage (collective reading)",
    "Focus group": "Focus group",
    "Living lab": "Living lab",
    "Groupe de travail": "Working group",
    "Autre": "Other",
    "Classique (quelques jours de préparation)": "Classic (a few days of preparation)",
    "Express (atelier 3P prêt à produire)": "Express (ready-to-produce 3P workshop)",
    "Lundi": "Monday",
    "Mardi": "Tuesday",
    "Mercredi": "Wednesday",
    "Jeudi": "Thursday",
    "Vendredi": "Friday",
    "Samedi": "Saturday",
    "Dimanche": "Sunday",
    "Premier": "First",
    "Deuxième": "Second",
    "Troisième": "Third",
    "Quatrième": "Fourth",
    "Dernier": "Last",
    # /fabrique documenter
    "documenter": "document",
    "Documenter votre Fabrique : enregistrement, notes ou compte-rendu": "Document your workshop: recording, notes or report",
    "enregistrement": "recording",
    "L'enregistrement (audio ou vidéo), s'il tient dans Discord": "The recording (audio or video), if it fits in Discord",
    "Ou le lien https de l'enregistrement, s'il est trop gros pour Discord": "Or the recording's https link, if too big for Discord",
    "transcription": "transcript",
    "La transcription Zoom (.vtt), facultative": "The Zoom transcript (.vtt), optional",
    "chat": "chat",
    "Le fichier du chat Zoom (.txt), facultatif": "The Zoom chat file (.txt), optional",
    "chemin": "path",
    "Enregistrement + notes, ou compte-rendu 3P (par défaut : selon le parcours)": "Recording + notes, or 3P report (default: by track)",
    "Enregistrement + notes": "Recording + notes",
    "Compte-rendu 3P": "3P report",
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
