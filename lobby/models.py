"""Lobbies, who is in them, and the directory rows waiting to be sent: data and queries only."""

from django.conf import settings
from django.db import models


class LobbyQuerySet(models.QuerySet):
    def live(self) -> "LobbyQuerySet":
        """Lobbies not deleted: the ones players see, subscribe to and open tables in."""
        return self.filter(deleted_at__isnull=True)


class Lobby(models.Model):
    name = models.CharField(max_length=80)
    description = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    # A deleted lobby keeps its row: its closed tables and finished tournaments
    # (and their hands) still point at it (docs/lobby.md, "Deleting").
    deleted_at = models.DateTimeField(null=True, blank=True)
    # When the coalescer last sent a LOBBY_UPDATE of directory rows; the next
    # one waits until half a second after it.
    rows_sent_at = models.DateTimeField(null=True, blank=True)

    objects = LobbyQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "lobbies"
        constraints = [
            # A deleted lobby gives its name back.
            models.UniqueConstraint(
                fields=["name"], condition=models.Q(deleted_at__isnull=True), name="lobby_live_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Member(models.Model):
    """One socket that joined a lobby: a user is a member while any of their sockets is.

    Tied to the presence row of the socket, so whatever drops that row (the
    socket closing, its node's next run, the node's expiry) drops this too.
    """

    lobby = models.ForeignKey(Lobby, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lobby_memberships")
    connection = models.ForeignKey(
        "realtime.Connection", to_field="channel_name", on_delete=models.CASCADE, related_name="lobby_memberships"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["lobby", "connection"], name="member_once_per_socket"),
        ]


class RowChange(models.Model):
    """A directory row that changed and is not sent yet (``lobby.directory.mark_changed``).

    Append-only, one row per change, with no foreign key: the table or
    tournament writing it locks nothing the other tables of its lobby touch,
    and a change made while the coalescer sends is a new row it leaves alone.
    """

    lobby_id = models.BigIntegerField()
    # "tables" or "tournaments"
    section = models.CharField(max_length=16)
    item_id = models.CharField(max_length=32)

    class Meta:
        indexes = [models.Index(fields=["lobby_id", "id"], name="row_change_by_lobby")]
