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
        "Prochaine étape : choisissez un créneau avec /fabrique creneaux, puis réservez-le avec /fabrique reserver."
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
    # Slots and booking.
    "error.not_organizer_or_team": "Seule l'organisation de cette Fabrique ou l'équipe peut faire cela.",
    "error.input.date": "Date illisible « {value} » : écrivez-la JJ/MM/AAAA, par exemple 04/05/2027.",
    "error.input.time": "Heure illisible « {value} » : écrivez-la HH:MM, par exemple 14:30.",
    "error.input.nonexistent_time": "Le {date} à {time} n'existe pas : c'est l'heure du passage à l'heure d'été. Choisissez une autre heure.",
    "error.input.slot_length": "Un créneau dure entre {minimum} et {maximum} minutes.",
    "error.input.past": "Cette date est déjà passée : choisissez une date à venir.",
    "error.input.link": "Ce lien n'est pas valable : donnez l'adresse complète, commençant par https://.",
    "error.input.count": "Choisissez entre 1 et {maximum} sessions.",
    "error.input.capacity": "Le nombre de places ne peut pas être négatif.",
    "error.unknown_slot": "Aucun créneau n°{number}. Voyez les créneaux avec /fabrique creneaux.",
    "error.slot.overlap": "Ce créneau chevauche le créneau n°{number} du {start} (il faut {buffer} min entre deux sessions : un seul compte Zoom).",
    "error.slot.past": "Ce créneau est déjà passé.",
    "error.slot.too_short": "Ce créneau dure {slot_minutes} min, votre Fabrique {needed} min : choisissez un créneau plus long.",
    "error.slot.too_soon": "Il faut au moins {days} jours de préparation pour le parcours {parcours} : choisissez un créneau plus lointain.",
    "error.slot.booked": "Le créneau n°{number} est réservé par la Fabrique n°{fabrique} : elle doit d'abord le libérer (ou être annulée).",
    "error.slot.taken": "Le créneau n°{number} vient d'être réservé par une autre Fabrique. Choisissez-en un autre avec /fabrique creneaux.",
    "error.slot.already_yours": "Votre Fabrique occupe déjà le créneau n°{number}.",
    "error.state.book": "Impossible de réserver : cette Fabrique est {state} (elle doit être approuvée).",
    "error.state.move": "Impossible de déplacer cette Fabrique : elle est {state}.",
    "error.state.release": "Rien à libérer : cette Fabrique est {state}.",
    "error.state.announce": "Impossible d'annoncer cette Fabrique : elle est {state}.",
    "error.state.cancel": "Impossible d'annuler : cette Fabrique est {state}.",
    "error.register.closed": "Les inscriptions à la session n°{number} ne sont pas ouvertes : elle est {state}.",
    "error.register.started": "La session n°{number} a déjà commencé : les inscriptions sont closes.",
    "error.link.not_registered": "Le lien Zoom est réservé aux inscrit·es : inscrivez-vous d'abord avec /fabrique inscrire (n°{number}).",
    "error.link.waitlisted": "Vous êtes sur la liste d'attente de la session n°{number} : le lien vous sera envoyé dès qu'une place se libère.",
    "error.link.missing": "L'équipe n'a pas encore donné le lien Zoom de la session n°{number}.",
    "error.link.state": "On ne peut pas donner de lien à la Fabrique n°{number} : elle est {state}.",
    "slot.added": "Créneau **n°{number}** ouvert : {date} ({length}).",
    "slot.removed": "Créneau n°{number} du {date} retiré.",
    "slot.list.team": "Créneaux à venir",
    "slot.list.free": "Créneaux libres",
    "slot.list.empty": "Aucun créneau à venir. Ouvrez-en avec /equipe creneau-ajouter.",
    "slot.list.none_free": "Aucun créneau libre pour le moment : l'équipe en ouvre régulièrement, revenez bientôt.",
    "slot.line.free": "**n°{number}** · <t:{ts}:F> · {length} · libre",
    "slot.line.booked": "**n°{number}** · <t:{ts}:F> · {length} · réservé (Fabrique n°{fabrique})",
    "slot.booked.announced": "C'est réservé ! La Fabrique **n°{number}** aura lieu le {date} ; elle est annoncée dans le salon agenda.",
    "slot.booked.waiting_link": "C'est réservé ! La Fabrique **n°{number}** aura lieu le {date}. Elle sera annoncée dès que l'équipe aura donné le lien Zoom.",
    "slot.moved": "La Fabrique **n°{number}** est déplacée au {date}. L'annonce, l'événement et les inscrit·es suivent.",
    "slot.released": "Le créneau de la Fabrique **n°{number}** « {title} » est libéré ; elle est de nouveau approuvée, prête à réserver.",
    "autocomplete.slot": "n°{number} · {date} · {length}",
    "autocomplete.session": "n°{number} · {title} · {date}",
    # Announcement.
    "team.needs_link": "📌 La Fabrique n°{number} est programmée le {date} : donnez son lien Zoom avec /equipe lien-zoom pour l'annoncer.",
    "team.no_agenda": "⚠️ La Fabrique n°{number} ne peut pas être annoncée : le salon agenda n'est pas configuré (/equipe configurer).",
    "announcement.location": "Zoom — lien envoyé aux inscrits",
    "announcement.when": "Quand",
    "announcement.places": "Places",
    "announcement.seats": "{taken} inscrit·e(s) sur {capacity} places — {left} place(s) libre(s)",
    "announcement.waitlist": "{count} personne(s) en liste d'attente",
    "announcement.footer": "Session n°{number} · inscrivez-vous avec ✅ ou le bouton · le lien Zoom est envoyé aux inscrit·es",
    "calendar.name": "Fabriques collectives",
    "button.join": "S'inscrire",
    "button.leave": "Se désinscrire",
    # Registration.
    "reply.registered": "C'est noté : vous êtes inscrit·e à « {title} », le {date}. Le lien Zoom vous sera envoyé avant la séance (ou tout de suite avec /fabrique lien).",
    "reply.waitlisted": "« {title} » est complète : vous êtes n°{position} sur la liste d'attente. Vous serez prévenu·e en message privé si une place se libère.",
    "reply.already_registered": "Vous êtes déjà inscrit·e à « {title} », le {date}.",
    "reply.already_waitlisted": "Vous êtes déjà sur la liste d'attente de « {title} » (n°{position}).",
    "reply.unregistered": "Votre inscription à « {title} » est annulée.",
    "reply.not_registered": "Vous n'étiez pas inscrit·e à « {title} » : rien à annuler.",
    "reply.link": "Lien Zoom de « {title} » ({date}) : {url}\nMerci de ne pas le partager publiquement.",
    "dm.registered": "✅ Vous êtes inscrit·e à « {title} », le {date}. Le lien Zoom vous sera envoyé avant la séance ; vous pouvez aussi le demander avec /fabrique lien (n°{number}).",
    "dm.waitlisted": "« {title} » est complète : vous êtes n°{position} sur la liste d'attente. Vous serez prévenu·e ici si une place se libère.",
    "dm.promoted": "🎉 Une place s'est libérée : vous êtes inscrit·e à « {title} », le {date}. Le lien Zoom : /fabrique lien (n°{number}).",
    "dm.unregistered": "Votre inscription à « {title} » ({date}) est annulée.",
    "dm.refused": "Votre inscription à « {title} » n'a pas pu être prise en compte : {reason}",
    "dm.moved": "📅 « {title} » change de date : elle passe du {before} au {date}. Votre inscription est conservée.",
    "dm.released": "« {title} », prévue le {date}, est reportée : une nouvelle date sera annoncée. Votre inscription est annulée ; réinscrivez-vous lors de la nouvelle annonce.",
    "dm.cancelled": "❌ « {title} », prévue le {date}, est annulée.\n> {reason}",
    "registrants.title": "**Inscrit·es à la session n°{number} « {title} »** : {count}",
    "registrants.dm_failed": "(messages privés fermés)",
    "registrants.waiting": "**Liste d'attente** : {count}",
    "registrants.more": "… liste complète dans le fichier joint.",
    "status.confirmed": "inscrit·e",
    "status.waitlisted": "liste d'attente",
    "source.reaction": "réaction",
    "source.button": "bouton",
    "source.command": "commande",
    "csv.header": "identifiant,nom,statut,via,inscription,messages privés fermés",
    "csv.yes": "oui",
    # Team: link, cancellation, welcome sessions, agenda.
    "link.saved": "Lien Zoom enregistré pour la Fabrique n°{number} « {title} ». Il ne sera envoyé qu'aux inscrit·es.",
    "link.saved.announced": "Lien Zoom enregistré : la Fabrique n°{number} « {title} » est maintenant annoncée dans le salon agenda.",
    "cancel.done": "La session n°{number} « {title} » est annulée ; {count} inscrit·e(s) et l'organisation sont prévenu·es.",
    "welcome.title": "30 min chrono : session d'accueil et de mise à niveau",
    "welcome.description": "Une demi-heure avec l'équipe pour découvrir la communauté, les Fabriques collectives et poser toutes vos questions.",
    "welcome.line": "• n°{number} : {date}",
    "welcome.done": "{count} session(s) d'accueil programmée(s) et annoncée(s) :",
    "agenda.title": "Prochaines sessions",
    "agenda.empty": "Aucune session annoncée pour le moment.",
    "agenda.line": "**n°{number}** · <t:{ts}:F> · {title}",
    "card.audit.book": "<t:{ts}:f> · 📅 créneau réservé par <@{actor}>",
    "card.audit.move": "<t:{ts}:f> · 📅 déplacée par <@{actor}>",
    "card.audit.release": "<t:{ts}:f> · créneau libéré par <@{actor}>",
    "card.audit.announce": "<t:{ts}:f> · 📣 annoncée",
    "card.audit.cancel": "<t:{ts}:f> · ❌ annulée par <@{actor}> : {reason}",
    # Timed work.
    "dm.reminder": "⏰ Rappel : « {title} » commence <t:{ts}:R> ({date}).\nLien Zoom : {url}\nMerci de ne pas le partager publiquement.",
    "dm.checklist": "📝 Votre Fabrique « {title} » a lieu dans {days} jours ({date}). Où en êtes-vous ?\n{steps}",
    "checklist.classique": (
        "☐ le sujet et les objectifs sont clairs et partagés avec les coorganisateur·ices\n"
        "☐ le format d'animation est choisi, l'intervenant·e (s'il y en a) a confirmé\n"
        "☐ les supports d'animation sont prêts (un tableau Klaxoon ? demandez-le à l'équipe)\n"
        "☐ les partenaires et invité·es ont confirmé le créneau\n"
        "☐ l'enregistrement Zoom et la prise de notes sont prévus pour la documentation"
    ),
    "checklist.express": (
        "☐ le problème partagé est formulé en une phrase\n"
        "☐ vous avez relu la méthode des ateliers participatifs prêts à produire (3P) de Jean-Michel Cornu\n"
        "☐ le document du compte-rendu collectif est prêt à être rempli pendant la session\n"
        "☐ les partenaires et invité·es ont confirmé le créneau"
    ),
    "thread.start": "🎬 « {title} » commence maintenant ! Les inscrit·es ont reçu le lien Zoom en message privé (sinon : /fabrique lien, n°{number}).",
    "dm.recap": (
        "Merci d'avoir animé « {title} » ! 🙌 Documentez votre Fabrique : c'est l'engagement pris en l'organisant, "
        "et ce qui la rend utile à toute la communauté. Deux chemins possibles :\n"
        "• **Enregistrement + notes** : l'enregistrement Zoom (converti en MP3), vos notes (idées clés, repères "
        "temporels, références) — quelques heures de travail ;\n"
        "• **Compte-rendu 3P** : le compte-rendu produit collectivement pendant la session — une heure au plus.\n"
        "Choisissez ci-dessous (Fabrique n°{number})."
    ),
    "dm.chaser": "📚 « {title} » (n°{number}) attend toujours sa documentation, {days} jours après la session : il reste {left} jours avant l'échéance. Choisissez votre chemin ci-dessous.",
    "team.documentation_late": "⚠️ La documentation de la Fabrique n°{number} « {title} » n'est pas publiée, {days} jours après la session. Organisation : {who}",
    "button.documentation.classique": "Enregistrement + notes",
    "button.documentation.express": "Compte-rendu 3P",
    "documentation.path.classique": (
        "**Enregistrement + notes** (Fabrique n°{number}) :\n"
        "1. récupérez l'enregistrement Zoom de la session (fichier audio ou vidéo, ou son lien) ;\n"
        "2. rassemblez vos notes : idées clés, repères temporels au format HH:MM:SS titre, échanges du chat, références ;\n"
        "3. ajoutez un texte de contexte et les ressources utiles (présentation, liens, publications).\n"
        "L'équipe publie l'article réservé aux membres ; le son est converti en MP3."
    ),
    "documentation.path.express": (
        "**Compte-rendu 3P** (Fabrique n°{number}) :\n"
        "1. reprenez le compte-rendu produit collectivement pendant la session ;\n"
        "2. rappelez le contexte et la méthode d'animation (ateliers 3P) ;\n"
        "3. joignez les ressources utiles (présentation de l'intervenant·e, liens, publications).\n"
        "Le texte est publié en article réservé aux membres."
    ),
    "followup.title": "Suivi des Fabriques",
    "followup.states": "Par état",
    "followup.none": "Aucune Fabrique pour le moment.",
    "followup.documentation": "Documentations attendues : {count}",
    "followup.owed": "**n°{number}** · {title} · {who} · session il y a {days} j · {state}",
    "followup.late": "**n°{number}** · {title} · {who} · ⚠️ **en retard de {late} j** (session il y a {days} j)",
    "followup.all_documented": "Tout est documenté. Bravo !",
    "card.audit.end": "<t:{ts}:f> · session tenue",
    "card.audit.prompt": "<t:{ts}:f> · documentation demandée",
    "error.state.end": "Cette session ne peut pas se terminer : elle est {state}.",
    "error.state.prompt": "La documentation ne peut pas être demandée : cette session est {state}.",
    # Outside systems.
    "error.zoom.auth": "Zoom refuse les identifiants du bot (compte, client ou secret) : vérifiez la section [zoom] et ZOOM_CLIENT_SECRET.",
    "error.zoom.unavailable": "Zoom ne répond pas pour le moment : le bot réessaiera ; l'équipe peut aussi coller un lien avec /equipe lien-zoom.",
    "error.zoom.rejected": "Zoom a refusé la demande de réunion : vérifiez l'utilisateur hôte ([zoom] host_user).",
    "error.wordpress.auth": "Le site refuse l'identifiant ou le mot de passe d'application du bot : vérifiez [wordpress] username et WORDPRESS_APP_PASSWORD.",
    "error.wordpress.unavailable": "Le site ne répond pas pour le moment : la publication sera retentée.",
    "error.wordpress.rejected": "Le site a refusé la publication (fichier trop gros ou contenu refusé).",
    "error.mailing.auth": "Le serveur de courriel refuse l'identifiant ou le mot de passe du bot : vérifiez [mailing] et SMTP_PASSWORD.",
    "error.mailing.unavailable": "Le serveur de courriel ne répond pas pour le moment : l'envoi sera retenté.",
    "error.mailing.rejected": "Le serveur de courriel a refusé le message (adresse de la liste ?).",
    "error.audio.empty": "Le fichier est vide : envoyez l'enregistrement complet.",
    "error.audio.not_media": "Ce fichier n'est pas un enregistrement audio ou vidéo lisible : envoyez le fichier M4A, MP4, MP3 ou WAV de la session.",
    "error.audio.too_long": "L'enregistrement dure {minutes} min, au-delà des {maximum} min acceptées.",
    "error.audio.truncated": "L'enregistrement semble tronqué ou abîmé : la conversion s'est arrêtée avant la fin. Renvoyez le fichier d'origine.",
    "error.audio.failed": "La conversion de l'enregistrement a échoué : réessayez, ou envoyez le fichier dans un autre format.",
}
