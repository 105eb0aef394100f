"""French catalogue: the language every member reads by default."""

MESSAGES: dict[str, str] = {
    # States, as users read them (SPEC §5).
    "state.proposed": "proposée",
    "state.changes_requested": "modifications demandées",
    "state.approved": "approuvée",
    "state.rejected": "refusée",
    "state.withdrawn": "retirée",
    "state.scheduled": "programmée",
    "state.announced": "annoncée",
    "state.held": "tenue",
    "state.documentation_due": "documentation attendue",
    "state.documenting": "documentation en cours",
    "state.documented": "documentée",
    "state.cancelled": "annulée",
    "format.atelier": "Atelier",
    "format.arpentage": "Arpentage",
    "format.focus_group": "Focus group",
    "format.living_lab": "Living lab",
    "format.groupe_de_travail": "Groupe de travail",
    "format.autre": "Autre",
    "parcours.classique": "Classique (quelques jours de préparation)",
    "parcours.express": "Express (atelier 3P prêt à produire)",
    "field.titre": "titre",
    "field.description": "description",
    "field.intervenant": "intervenant·e",
    "field.besoins": "besoins",
    "field.motif": "motif",
    # Errors.
    "error.generic": "Une erreur est survenue. Réessayez dans un instant ; si cela persiste, prévenez l'équipe.",
    "error.guild_only": "Cette commande s'utilise sur le serveur de la communauté, pas en message privé.",
    "error.team_only": "Seule l'équipe peut faire cela.",
    "error.not_organizer": "Seul·e l'organisateur·ice de cette Fabrique peut faire cela.",
    "error.members_only": "Cette action est réservée aux membres de la communauté.",
    "error.admin_only": "Il faut la permission « Gérer le serveur » pour configurer le bot.",
    "error.unknown_fabrique": "Aucune Fabrique n°{number} sur ce serveur. Retrouvez vos numéros avec /fabrique mes-fabriques.",
    "error.state.approve": "Impossible d'approuver cette Fabrique : elle est {state}.",
    "error.state.request_changes": "Impossible de demander des modifications : cette Fabrique est {state}.",
    "error.state.reject": "Impossible de refuser cette Fabrique : elle est {state}.",
    "error.state.withdraw": "Impossible de retirer cette Fabrique : elle est {state}.",
    "error.state.edit": "Cette Fabrique ne peut plus être modifiée : elle est {state}.",
    "error.input.empty": "Le champ « {field} » est obligatoire.",
    "error.input.too_long": "Le champ « {field} » est trop long : {length} caractères pour {maximum} au maximum.",
    "error.input.duration": "Cette durée n'est pas proposée. Choisissez parmi : {allowed}.",
    "error.input.coorganizer_self": "Vous êtes déjà l'organisateur·ice : choisissez une autre personne en coorganisation.",
    "error.input.coorganizer_bot": "Un bot ne peut pas coorganiser une Fabrique : choisissez un·e membre.",
    "error.not_configured.team_channel": (
        "Le bot n'est pas encore configuré : un·e administrateur·ice doit choisir le salon de l'équipe avec "
        "/equipe configurer. Rien n'a été enregistré."
    ),
    # Proposal form.
    "modal.propose.title": "Proposer une Fabrique",
    "modal.give_back": "Rien n'est enregistré. Voici votre texte pour le reprendre sans rien retaper :",
    "modal.edit.title": "Modifier la Fabrique n°{number}",
    "label.titre": "Titre",
    "hint.titre": "Un titre court et parlant (100 caractères au plus).",
    "label.description": "Description",
    "hint.description": "Sujet, objectifs, public visé, déroulé envisagé.",
    "label.intervenant": "Intervenant·e (facultatif)",
    "hint.intervenant": "Nom et fonction, si une personne intervient.",
    "label.besoins": "Besoins (facultatif)",
    "hint.besoins": "Par exemple : un tableau Klaxoon, un temps de test technique.",
    "label.motif": "Motif",
    "hint.motif.request_changes": "Ce que l'organisateur·ice doit modifier : ce texte lui est envoyé.",
    "hint.motif.reject": "Pourquoi la proposition n'est pas retenue : ce texte lui est envoyé.",
    "modal.request_changes.title": "Demander des modifications — n°{number}",
    "modal.reject.title": "Refuser la Fabrique n°{number}",
    # Member-facing confirmations.
    "propose.done": (
        "Merci ! Votre proposition **n°{number}** « {title} » est transmise à l'équipe. Vous recevrez sa réponse "
        "en message privé ; suivez-la avec /fabrique mes-fabriques."
    ),
    "propose.card_failed": (
        "Votre proposition **n°{number}** est bien enregistrée, mais le salon de l'équipe est inaccessible au bot : "
        "prévenez l'équipe pour qu'elle vérifie /equipe configurer."
    ),
    "edit.done": "La Fabrique **n°{number}** « {title} » est modifiée (version {revision}).",
    "edit.resubmitted": "Elle est de nouveau soumise à l'équipe, qui vous répondra en message privé.",
    "withdraw.done": "La Fabrique **n°{number}** « {title} » est retirée. Vous pouvez en proposer une autre à tout moment.",
    "mine.title": "Vos Fabriques",
    "mine.empty": "Vous n'avez encore proposé aucune Fabrique. Lancez-vous avec /fabrique proposer !",
    "mine.line": "**n°{number}** · {title} — *{state}*",
    "mine.reason": "  ↳ Motif de l'équipe : {reason}",
    "autocomplete.fabrique": "n°{number} · {title} ({state})",
    # Moderation card.
    "card.title": "Proposition n°{number} — {title}",
    "card.format": "Format",
    "card.parcours": "Parcours",
    "card.duration": "Durée",
    "card.organizers": "Organisation",
    "card.speaker": "Intervenant·e",
    "card.needs": "Besoins",
    "card.state": "État",
    "card.none": "—",
    "card.footer": "Version {revision} · proposée le {date}",
    "card.history": "Historique",
    "card.audit.propose": "<t:{ts}:f> · proposée par <@{actor}>",
    "card.audit.edit": "<t:{ts}:f> · modifiée par <@{actor}>",
    "card.audit.approve": "<t:{ts}:f> · ✅ approuvée par <@{actor}>",
    "card.audit.request_changes": "<t:{ts}:f> · ✏️ modifications demandées par <@{actor}> : {reason}",
    "card.audit.reject": "<t:{ts}:f> · ❌ refusée par <@{actor}> : {reason}",
    "card.audit.withdraw": "<t:{ts}:f> · ↩️ retirée par <@{actor}>",
    "button.approve": "Approuver",
    "button.request_changes": "Demander des modifications",
    "button.reject": "Refuser",
    "decision.done.approve": "Fabrique n°{number} approuvée. L'organisation est prévenue.",
    "decision.done.request_changes": "Demande de modifications envoyée pour la Fabrique n°{number}.",
    "decision.done.reject": "Fabrique n°{number} refusée. L'organisation est prévenue avec votre motif.",
    "decision.dm_failed": "⚠️ Le message privé n'a pas pu être remis (messages privés fermés) : prévenez la personne directement.",
    # DMs to organizers.
    "dm.approve": (
        "Bonne nouvelle ! Votre Fabrique **n°{number}** « {title} » est approuvée par l'équipe. "
        "Prochaine étape : choisir un créneau parmi ceux que l'équipe propose."
    ),
    "dm.request_changes": (
        "L'équipe demande quelques modifications à votre Fabrique **n°{number}** « {title} » :\n> {reason}\n"
        "Modifiez-la avec /fabrique modifier (fabrique : {number}) ; elle sera de nouveau soumise à l'équipe."
    ),
    "dm.reject": (
        "Votre Fabrique **n°{number}** « {title} » n'a pas été retenue par l'équipe.\n> {reason}\n"
        "N'hésitez pas à en parler avec l'équipe ou à proposer une autre Fabrique."
    ),
    # Team configuration.
    "configure.done": "Configuration enregistrée.",
    "configure.current": "Aucune option donnée : voici la configuration actuelle, inchangée.",
    "configure.summary": "Configuration actuelle",
    "configure.team_role": "Rôle équipe",
    "configure.member_role": "Rôle membre",
    "configure.team_channel": "Salon de l'équipe",
    "configure.agenda_channel": "Salon agenda",
    "configure.articles_forum": "Forum des articles",
    "configure.unset": "non défini",
    "configure.everyone": "non défini : tout le serveur est membre",
}
