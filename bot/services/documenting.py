"""The organizer's two steps of a documentation, each one call: hand in what the session produced, then publish.

Around the documentation service and its background jobs, they show the change on the team's card and tell the
other organizers, through the ports; once published, Zoom's cloud recording may go to the trash.
"""

from __future__ import annotations

from bot.domain.lifecycle import Actor
from bot.domain.text import shown
from bot.i18n import I18n
from bot.services._common import tell_organizers
from bot.services.documentation import Documentation, DocumentationService, JobStatus, Submission
from bot.services.documentation_jobs import DocumentationJobs, ForumPoster, PublishOutcome, ThreadPoster
from bot.services.ports import Cards, Messenger
from bot.services.recordings import RecordingService


class DocumentingService:
    def __init__(
        self,
        documentation: DocumentationService,
        jobs: DocumentationJobs,
        *,
        cards: Cards,
        messenger: Messenger,
        i18n: I18n,
        recordings: RecordingService | None = None,
    ) -> None:
        """``recordings`` (None: Zoom recordings not wired) is told of each publication."""
        self._documentation = documentation
        self._jobs = jobs
        self._cards = cards
        self._messenger = messenger
        self._i18n = i18n
        self._recordings = recordings

    async def submit(self, guild_id: int, fabrique_id: int, actor: Actor, submission: Submission) -> Documentation:
        """Record the form and queue the job; the card shows the documentation in progress."""
        doc = await self._documentation.submit(guild_id, fabrique_id, actor, submission)
        await self._cards.show(guild_id, fabrique_id)
        return doc

    async def publish(
        self, fabrique_id: int, actor: Actor, post_to_forum: ForumPoster, post_in_thread: ThreadPoster
    ) -> PublishOutcome:
        """Publish; once documented, the card says so and organizers who did not publish it hear it by DM."""
        outcome = await self._jobs.publish(fabrique_id, actor, post_to_forum, post_in_thread)
        doc = outcome.documentation
        if doc.status is JobStatus.PUBLISHED:
            record = doc.fabrique
            await self._cards.show(record.guild_id, record.id)
            link = doc.wp_post_link or (f"<#{doc.forum_thread_id}>" if doc.forum_thread_id else "")
            text = self._i18n(
                "dm.organizer.published", number=record.shown_number, title=shown(record.title), link=link
            )
            await tell_organizers(self._messenger, record, text, by=actor.user_id)
            if self._recordings is not None:
                await self._recordings.published(record.id)  # [zoom] delete_cloud_recording
        return outcome
