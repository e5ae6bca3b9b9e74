"""Every change to lobbies: staff edits, presence, and sending the directory's changed rows.

Lock order: the user row (presence, as ``pokerrt.realtime.presence`` takes
it), then lobby rows by ascending id, then the LOBBY streams (``emit``).
Tables and tournaments never lock a lobby when they change: they call
``lobby.directory.mark_changed`` and :func:`do_send_rows` sends their rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from pokerrt import clock, errors
from pokerrt.accounts.models import user_ref
from pokerrt.hotpath import HotQuery
from pokerrt.realtime.models import Connection
from pokerrt.realtime.streams import emit
from pokerrt.timers import schedule

from . import directory
from .models import Lobby, Member, RowChange
from .snapshots import lobby_info, member_count

LOBBY_FIELDS = ("name", "description")


def lock_live_lobby(lobby_id: int | str) -> Lobby:
    """The lobby's row, locked until the transaction ends; NOT_FOUND once deleted.

    ``no_key``: the tables and tournaments that point at the lobby take a
    key-share lock when they are written (PostgreSQL), which this leaves
    them, so a lobby being edited never holds up play.
    """
    try:
        pk = int(lobby_id)
    except (TypeError, ValueError):
        raise errors.NotFound(f"No lobby {lobby_id}.") from None
    lobby = Lobby.objects.live().select_for_update(no_key=True).filter(pk=pk).first()
    if lobby is None:
        raise errors.NotFound(f"No lobby {lobby_id}.")
    return lobby


def check_lobby(name: str, exclude: int | None = None) -> None:
    """VALIDATION naming ``name`` when it is empty or another live lobby has it."""
    if not name.strip():
        raise errors.Validation(details={"name": ["A lobby needs a name."]})
    taken = Lobby.objects.live().filter(name=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise errors.Validation(details={"name": [f"A lobby named {name!r} exists."]})


# --- Staff -------------------------------------------------------------------------------------


def do_create_lobby(name: str, description: str = "") -> Lobby:
    """A new, empty lobby; LOBBY_CREATE on its own stream."""
    with transaction.atomic():
        check_lobby(name)
        lobby = Lobby.objects.create(name=name, description=description)
        emit("LOBBY", lobby.pk, "LOBBY_CREATE", {"lobby": lobby_info(lobby)})
        return lobby


def do_update_lobby(lobby_id: int | str, **fields: Any) -> Lobby:
    """Change a lobby's own fields (name, description); LOBBY_UPDATE carries them."""
    with transaction.atomic():
        lobby = lock_live_lobby(lobby_id)
        for name, value in fields.items():
            if name not in LOBBY_FIELDS:
                raise errors.Validation(details={name: ["Not a lobby field."]})
            setattr(lobby, name, value)
        check_lobby(lobby.name, exclude=lobby.pk)
        lobby.save(update_fields=[*fields])
        emit("LOBBY", lobby.pk, "LOBBY_UPDATE", {"lobby": lobby_info(lobby)})
        return lobby


def do_delete_lobby(lobby_id: int | str) -> None:
    """Delete a lobby that lists nothing any more; CONFLICT while it has live tables or tournaments.

    The row stays, marked deleted, for the closed tables and finished
    tournaments (and their hands) that still point at it; the lobby is gone
    for everyone else: not listed, not found, its name free again.
    """
    with transaction.atomic():
        lobby = lock_live_lobby(lobby_id)
        live = {name: len(directory.rows(name, lobby.pk)) for name in directory.SECTIONS}
        if any(live.values()):
            raise errors.Conflict(
                "The lobby still has live tables or tournaments; close them first.",
                details={name: [f"{count} live."] for name, count in live.items() if count},
            )
        lobby.deleted_at = clock.now()
        lobby.save(update_fields=["deleted_at"])
        Member.objects.filter(lobby=lobby).delete()
        RowChange.objects.filter(lobby_id=lobby.pk).delete()
        emit("LOBBY", lobby.pk, "LOBBY_DELETE", {"lobby": lobby_info(lobby)})


# --- Presence: by user, through their sockets -------------------------------------------------


def _lock_user(user: Any) -> None:
    # The lock presence takes when a socket closes: a join and a close of the
    # same user's sockets count members one after the other.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()


def do_join_lobby(user: Any, lobby_id: int | str, socket: str) -> Member:
    """The socket ``socket`` joins the lobby; LOBBY_JOIN when that makes its user a member."""
    with transaction.atomic():
        _lock_user(user)
        lobby = lock_live_lobby(lobby_id)
        if not Connection.objects.filter(channel_name=socket, user_id=user.pk).exists():
            raise errors.Conflict("This connection is not recorded as live; reconnect and join again.")
        present = Member.objects.filter(lobby=lobby, user_id=user.pk).exists()
        member, _ = Member.objects.get_or_create(lobby=lobby, connection_id=socket, defaults={"user": user})
        if not present:
            emit("LOBBY", lobby.pk, "LOBBY_JOIN", {"user": user_ref(user), "members": member_count(lobby.pk)})
        return member


def do_leave_lobby(user: Any, lobby_id: int | str, socket: str) -> None:
    """The socket leaves the lobby; LOBBY_LEAVE when none of its user's sockets is left in it."""
    with transaction.atomic():
        _lock_user(user)
        lobby = lock_live_lobby(lobby_id)
        _leave(user, [lobby], [socket])


def do_sockets_closed(user: Any, sockets: list[str]) -> None:
    """Sockets of ``user`` are going (closed, or their node dead): they leave every lobby they joined.

    Presence calls it inside the transaction that deletes their rows, with
    the user locked.
    """
    lobby_ids = sorted(set(Member.objects.filter(connection_id__in=sockets).values_list("lobby_id", flat=True)))
    lobbies = [Lobby.objects.select_for_update(no_key=True).get(pk=pk) for pk in lobby_ids]
    _leave(user, lobbies, sockets)


def _leave(user: Any, lobbies: Iterable[Lobby], sockets: list[str]) -> None:
    for lobby in lobbies:
        gone, _ = Member.objects.filter(lobby=lobby, connection_id__in=sockets).delete()
        if gone and not Member.objects.filter(lobby=lobby, user_id=user.pk).exists():
            emit("LOBBY", lobby.pk, "LOBBY_LEAVE", {"user": user_ref(user), "members": member_count(lobby.pk)})


# --- The directory's changed rows -----------------------------------------------------------------


# A busy lobby fires a deadline for each changed row and most of them find
# their change already sent: these two reads are compiled once (pokerrt.hotpath).
_locked_lobby = HotQuery(lambda pk: Lobby.objects.select_for_update(no_key=True).filter(pk=pk).order_by()[:1])
_row_change = HotQuery(lambda lobby_id, section, item_id: RowChange.objects.filter(lobby_id=lobby_id)
                       .filter(section=section).filter(item_id=item_id).only("id").order_by()[:1])


def do_send_rows(lobby_id: int, section: str, item_id: str) -> None:
    """Send every directory row of the lobby marked changed and committed by now, in one LOBBY_UPDATE.

    Run by the deadline of one changed item (``directory.mark_changed``).
    Within UPDATE_INTERVAL of the lobby's last LOBBY_UPDATE of rows, the
    item's deadline moves to the end of the interval instead. Changes
    committed after the read below are new RowChange rows, left for their
    own deadlines.
    """
    with transaction.atomic():
        lobby = _locked_lobby.first(lobby_id)
        if lobby is None or lobby.deleted_at is not None:
            RowChange.objects.filter(lobby_id=lobby_id).delete()
            return
        if _row_change.first(lobby_id, section, item_id) is None:
            # Sent with another item's update. Most of a busy lobby's deadlines
            # end here, writing nothing more: without this check each of them
            # would move itself to the next interval and fire again. A change
            # committed later is a new RowChange that arms this deadline anew.
            return
        now = clock.now()
        send_at = directory.next_send_at(lobby.rows_sent_at, now)
        if send_at > now:
            schedule(directory.timer_key(lobby_id, section, item_id), directory.SEND_ROWS, send_at,
                     {"lobby_id": lobby_id, "section": section, "item_id": item_id})
            return
        changes = list(RowChange.objects.filter(lobby_id=lobby_id).values_list("id", "section", "item_id"))
        if not changes:
            return
        RowChange.objects.filter(id__in=[change_id for change_id, _, _ in changes]).delete()
        update = _changed_rows(lobby_id, {(name, item) for _, name, item in changes})
        lobby.rows_sent_at = now
        lobby.save(update_fields=["rows_sent_at"])
        emit("LOBBY", lobby_id, "LOBBY_UPDATE", update)


def _changed_rows(lobby_id: int, changed: set[tuple[str, str]]) -> dict[str, Any]:
    """``{tables, tournaments, removed_tables, removed_tournaments}``, each present when not empty."""
    update: dict[str, Any] = {}
    for section, item_id in sorted(changed, key=lambda change: (change[0], int(change[1]))):
        home, row = directory.row_of(section, item_id)
        if row is not None and home == lobby_id:
            update.setdefault(section, []).append(row)
        else:
            update.setdefault(f"removed_{section}", []).append(item_id)
    return update


def do_remark_row(lobby_id: int, section: str, item_id: str) -> None:
    """Send a directory row again: it missed its LOBBY_UPDATE (the reconciler found it)."""
    with transaction.atomic():
        directory.mark_changed(lobby_id, section, item_id)
