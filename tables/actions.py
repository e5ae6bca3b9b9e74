"""Every change to tables, seats and hands.

Each ``do_*`` function runs in one transaction: it locks the table row
(:func:`lock_table`, always first), changes the rows, moves chips through the
ledger and emits the events that describe the change. Callers (commands, the
REST API, timers, the admin) trust nothing else to change a table.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone

from lobby.models import Lobby
from pokerrt.accounts.actions import account_for, do_transfer, wallet_of
from pokerrt.accounts.errors import InsufficientFunds as WalletTooLow
from pokerrt.accounts.models import AccountKind, Reason, user_ref
from pokerrt.realtime import errors
from pokerrt.realtime.streams import emit
from pokerrt.timers import cancel, schedule
from tables import engine
from tables.engine import rules

from . import live, snapshots
from .models import Hand, HandAction, HandPlayer, HandStatus, Seat, SeatStatus, Table, TableKind, TableStatus

# --- Locks and lookups -----------------------------------------------------------


def lock_table(table_id: int | str) -> Table:
    """The table row, locked until the transaction ends. The one lock order: table first."""
    try:
        return Table.objects.select_for_update().get(pk=int(table_id))
    except (Table.DoesNotExist, ValueError, TypeError):
        raise errors.NotFound(f"No table {table_id}.") from None


def seat_of(table: Table, user: Any) -> Seat | None:
    return Seat.objects.filter(table=table, user=user).first()


def own_seat(table: Table, user: Any) -> Seat:
    """The user's seat at ``table``; CONFLICT when they have none."""
    seat = seat_of(table, user)
    if seat is None:
        raise errors.Conflict("You have no seat at this table.")
    return seat


def live_hand(table: Table) -> Hand | None:
    return Hand.objects.filter(table=table, status=HandStatus.LIVE).first()


def _now() -> dt.datetime:
    return timezone.now()


def _conf(name: str) -> Any:
    return settings.POKERRT_TABLES[name]


# --- Staff: create, update, delete -----------------------------------------------------

TABLE_FIELDS = ("name", "max_seats", "small_blind", "big_blind", "ante", "min_buy_in",
                "max_buy_in", "action_seconds", "time_bank_seconds")


def do_create_table(lobby: Lobby, name: str, **fields: Any) -> Table:
    """A new cash table in ``lobby``, with its empty seats."""
    with transaction.atomic():
        table = Table(lobby=lobby, name=name, **fields)
        check_table(table)
        table.save()
        Seat.objects.bulk_create(Seat(table=table, number=n) for n in range(1, table.max_seats + 1))
        emit("TABLE", table.pk, "TABLE_CREATE", {"table": snapshots.table_info(table)})
        return table


def do_update_table(table_id: int | str, **fields: Any) -> Table:
    """Change a table's settings. Seats can be added, or removed while empty."""
    with transaction.atomic():
        table = lock_table(table_id)
        if table.status == TableStatus.CLOSED:
            raise errors.Conflict("The table is closed.")
        for name, value in fields.items():
            if name not in TABLE_FIELDS:
                raise errors.Validation(details={name: ["Not a table setting."]})
            setattr(table, name, value)
        check_table(table)
        if "max_seats" in fields:
            _resize(table)
        table.save()
        emit("TABLE", table.pk, "TABLE_UPDATE", {"table": snapshots.table_info(table)})
        return table


def check_table(table: Table) -> None:
    """The table as it would be saved, settings merged with what is stored.

    VALIDATION naming the fields for settings that do not fit (the model's
    ranges, constraints and ``clean``); CONFLICT naming ``max_seats`` when
    seats to remove are taken, which depends on who sits there now.
    """
    try:
        table.full_clean()
    except DjangoValidationError as error:
        raise errors.Validation(details=error.message_dict) from None
    if table.pk is not None and Seat.objects.filter(
        table=table, number__gt=table.max_seats, user__isnull=False
    ).exists():
        raise errors.Conflict("A seat that would be removed is taken.",
                              details={"max_seats": ["Players sit in seats above it."]})


def _resize(table: Table) -> None:
    existing = Seat.objects.filter(table=table)
    existing.filter(number__gt=table.max_seats).delete()
    have = set(existing.values_list("number", flat=True))
    Seat.objects.bulk_create(
        Seat(table=table, number=n) for n in range(1, table.max_seats + 1) if n not in have
    )


def do_delete_table(table_id: int | str) -> None:
    """Close a table: everyone is cashed out. Refused while a hand is in play."""
    with transaction.atomic():
        table = lock_table(table_id)
        if table.status == TableStatus.CLOSED:
            raise errors.NotFound(f"No table {table_id}.")
        if live_hand(table) is not None:
            raise errors.Conflict("A hand is in play; delete the table between hands.")
        for seat in Seat.objects.filter(table=table, user__isnull=False):
            _stand_up(table, seat)
        table.status = TableStatus.CLOSED
        table.save(update_fields=["status"])
        cancel(f"table:{table.pk}:next_hand")
        emit("TABLE", table.pk, "TABLE_DELETE", {"table": snapshots.table_info(table)})


# --- Players: join, leave, sit out, sit in ------------------------------------------------


def do_join_table(user: Any, table_id: int | str, buy_in: int, seat_number: int | None = None) -> Seat:
    """Sit ``user`` down with ``buy_in`` chips from their wallet."""
    with transaction.atomic():
        table = lock_table(table_id)
        if table.kind != TableKind.CASH:
            raise errors.Forbidden("Tournament tables are seated by the tournament.")
        if table.status != TableStatus.OPEN:
            raise errors.Conflict("The table is not open.")
        if seat_of(table, user) is not None:
            raise errors.Conflict("You already have a seat at this table.")
        if not table.min_buy_in <= buy_in <= table.max_buy_in:
            raise errors.Validation(
                f"The buy-in is {table.min_buy_in} to {table.max_buy_in} chips.",
                details={"buy_in": [f"Between {table.min_buy_in} and {table.max_buy_in}."]},
            )
        seat = _free_seat(table, seat_number)
        wallet = wallet_of(user)
        try:
            do_transfer(wallet, account_for(AccountKind.TABLE, table.pk), buy_in, Reason.BUY_IN,
                        memo=f"table {table.pk} seat {seat.number}")
        except WalletTooLow:
            raise errors.InsufficientFunds(
                f"A buy-in of {buy_in} needs more than your balance of {wallet.balance}."
            ) from None
        seat.user = user
        seat.stack = buy_in
        seat.status = SeatStatus.ACTIVE
        seat.time_bank_left = table.time_bank_seconds
        seat.owes = engine.Post.NONE.value
        seat.timeouts_in_row = 0
        seat.leaving = False
        seat.sat_out_at = None
        seat.disconnected_at = None
        seat.save()
        emit("TABLE", table.pk, "TABLE_JOIN", {"seat": seat.number, "user": user_ref(user), "stack": buy_in})
        emit("PLAYER", user.pk, "TABLE_JOIN", {
            "table_id": str(table.pk), "seat": seat.number, "stack": buy_in,
            "balance": wallet.balance, "change": -buy_in,
        })
        _maybe_schedule_hand(table)
        return seat


def _free_seat(table: Table, number: int | None) -> Seat:
    seats = Seat.objects.select_for_update().filter(table=table)
    if number is not None:
        if not 1 <= number <= table.max_seats:
            raise errors.Validation(details={"seat": [f"Seats are 1 to {table.max_seats}."]})
        seat = seats.filter(number=number).first()
        if seat is None or seat.user_id is not None:
            raise errors.Conflict(f"Seat {number} is taken.")
        return seat
    seat = seats.filter(user__isnull=True).order_by("number").first()
    if seat is None:
        raise errors.Conflict("The table is full.")
    return seat


def do_leave_table(user: Any, table_id: int | str) -> Seat:
    """Stand up now, or when the hand in play ends if the player is in it."""
    with transaction.atomic():
        table = lock_table(table_id)
        seat = own_seat(table, user)
        hand = live_hand(table)
        if hand is not None and _dealt_in(hand, seat):
            _leave_after(hand, table, seat)
            return seat
        _stand_up(table, seat)
        _maybe_schedule_hand(table)
        return seat


def _dealt_in(hand: Hand, seat: Seat) -> bool:
    """Whether the seat's player was dealt into ``hand``.

    Folded or not, their chips are settled only when the hand ends: the seat's
    stack is what they started it with, part of which may now be in the pot.
    """
    return hand.players.get(str(seat.number)) == seat.user_id


def _leave_after(hand: Hand, table: Table, seat: Seat) -> None:
    """Stand the seat's player up when ``hand`` ends, and tell the table now."""
    seat.leaving = True
    seat.save(update_fields=["leaving"])
    emit("TABLE", table.pk, "TABLE_UPDATE", {"seats": [snapshots.seat_info(seat, hand)]})


def _stand_up(table: Table, seat: Seat) -> None:
    """Cash the seat's chips out to its player's wallet and empty it."""
    user = seat.user
    stack = seat.stack
    balance = wallet_of(user).balance
    if stack:
        entry = do_transfer(account_for(AccountKind.TABLE, table.pk), wallet_of(user), stack,
                            Reason.CASH_OUT, memo=f"table {table.pk} seat {seat.number}")
        balance = entry.destination.balance
    number = seat.number
    seat.user = None
    seat.stack = 0
    seat.status = SeatStatus.EMPTY
    seat.leaving = False
    seat.sat_out_at = seat.disconnected_at = None
    seat.owes = engine.Post.NONE.value
    seat.timeouts_in_row = 0
    seat.save()
    cancel(f"table:{table.pk}:seat:{number}:sit_out")
    emit("TABLE", table.pk, "TABLE_LEAVE", {"seat": number, "user": user_ref(user), "stack": stack})
    emit("PLAYER", user.pk, "TABLE_LEAVE", {
        "table_id": str(table.pk), "seat": number, "stack": stack, "balance": balance, "change": stack,
    })


def do_sit_out(user: Any, table_id: int | str) -> Seat:
    """Keep the seat but be dealt no more hands (from the next one)."""
    with transaction.atomic():
        table = lock_table(table_id)
        seat = own_seat(table, user)
        if seat.status == SeatStatus.SITTING_OUT:
            return seat
        _sit_out(table, seat)
        return seat


def _sit_out(table: Table, seat: Seat) -> None:
    seat.status = SeatStatus.SITTING_OUT
    seat.sat_out_at = _now()
    seat.save(update_fields=["status", "sat_out_at"])
    if table.kind == TableKind.CASH:
        schedule(f"table:{table.pk}:seat:{seat.number}:sit_out", "tables.sit_out_expired",
                 seat.sat_out_at + dt.timedelta(seconds=_conf("SIT_OUT_SECONDS")),
                 {"table_id": table.pk, "seat": seat.number, "user_id": seat.user_id})
    emit("TABLE", table.pk, "TABLE_UPDATE", {"seats": [snapshots.seat_info(seat, live_hand(table))]})


def do_sit_in(user: Any, table_id: int | str) -> Seat:
    """Be dealt in again from the next hand (missed blinds are made up then)."""
    with transaction.atomic():
        table = lock_table(table_id)
        seat = own_seat(table, user)
        if seat.stack == 0:
            raise errors.Conflict("You have no chips; leave and buy in again.")
        if seat.status == SeatStatus.ACTIVE:
            return seat
        seat.status = SeatStatus.ACTIVE
        seat.sat_out_at = None
        seat.timeouts_in_row = 0
        seat.save(update_fields=["status", "sat_out_at", "timeouts_in_row"])
        cancel(f"table:{table.pk}:seat:{seat.number}:sit_out")
        emit("TABLE", table.pk, "TABLE_UPDATE", {"seats": [snapshots.seat_info(seat, live_hand(table))]})
        _maybe_schedule_hand(table)
        return seat


def do_expire_sit_out(table_id: int, seat_number: int, user_id: int) -> None:
    """A cash-game player sat out too long: stand them up (after the hand, if in one)."""
    with transaction.atomic():
        table = lock_table(table_id)
        seat = Seat.objects.filter(table=table, number=seat_number, user_id=user_id).first()
        if seat is None or seat.status != SeatStatus.SITTING_OUT:
            return
        hand = live_hand(table)
        if hand is not None and _dealt_in(hand, seat):
            _leave_after(hand, table, seat)
            return
        _stand_up(table, seat)


# --- Connections ---------------------------------------------------------------------------


def do_player_disconnected(user: Any) -> None:
    """The user's last connection closed: tell each table they sit at."""
    with transaction.atomic():
        for table_id in Seat.objects.filter(user=user).values_list("table_id", flat=True).order_by("table_id"):
            table = lock_table(table_id)
            seat = seat_of(table, user)
            if seat is None or seat.disconnected_at is not None:
                continue
            seat.disconnected_at = _now()
            seat.save(update_fields=["disconnected_at"])
            emit("TABLE", table.pk, "PLAYER_DISCONNECT", {"user": user_ref(user), "table_id": str(table.pk)})
            schedule(f"table:{table.pk}:seat:{seat.number}:grace", "tables.grace_expired",
                     seat.disconnected_at + dt.timedelta(seconds=_conf("DISCONNECT_GRACE_SECONDS")),
                     {"table_id": table.pk, "seat": seat.number, "user_id": user.pk})


def do_player_reconnected(user: Any) -> None:
    """The user is back: tell each table where they were marked disconnected."""
    with transaction.atomic():
        for table_id in Seat.objects.filter(user=user, disconnected_at__isnull=False).values_list(
            "table_id", flat=True
        ).order_by("table_id"):
            table = lock_table(table_id)
            seat = seat_of(table, user)
            if seat is None or seat.disconnected_at is None:
                continue
            seat.disconnected_at = None
            seat.save(update_fields=["disconnected_at"])
            cancel(f"table:{table.pk}:seat:{seat.number}:grace")
            emit("TABLE", table.pk, "PLAYER_RECONNECT", {"user": user_ref(user), "table_id": str(table.pk)})


def do_expire_grace(table_id: int, seat_number: int, user_id: int) -> None:
    """Gone longer than the grace period: sit the player out."""
    with transaction.atomic():
        table = lock_table(table_id)
        seat = Seat.objects.filter(table=table, number=seat_number, user_id=user_id).first()
        if seat is None or seat.disconnected_at is None or seat.status != SeatStatus.ACTIVE:
            return
        _sit_out(table, seat)


# --- Hands -----------------------------------------------------------------------------------


def _maybe_schedule_hand(table: Table, delay: float | None = None) -> None:
    """Ask for the next hand if none is in play and two or more can be dealt in."""
    if table.status != TableStatus.OPEN or live_hand(table) is not None:
        return
    if len(_dealable(table)) < 2:
        return
    seconds = _conf("HAND_INTERVAL_SECONDS") if delay is None else delay
    schedule(f"table:{table.pk}:next_hand", "tables.start_hand",
             _now() + dt.timedelta(seconds=seconds), {"table_id": table.pk})


def _dealable(table: Table) -> list[Seat]:
    return list(
        Seat.objects.filter(table=table, user__isnull=False, status=SeatStatus.ACTIVE,
                            stack__gt=0, leaving=False).order_by("number")
    )


def do_start_hand(table_id: int | str) -> Hand | None:
    """Deal the next hand if the table can play one; None if it cannot."""
    with transaction.atomic():
        table = lock_table(table_id)
        if table.status != TableStatus.OPEN or live_hand(table) is not None:
            return None
        occupied = list(Seat.objects.filter(table=table, user__isnull=False).order_by("number"))
        seats = [
            rules.TableSeat(s.number, s.stack, sitting_out=s.status != SeatStatus.ACTIVE or s.leaving,
                            owes=engine.Post(s.owes))
            for s in occupied
        ]
        previous = rules.Positions(**table.positions) if table.positions else None
        plan = rules.plan_hand(seats, previous)
        if plan is None:
            return None
        config = plan.hand_config(seats, table.small_blind, table.big_blind, table.ante)
        deck = engine.shuffled_deck()
        dealt, opening = engine.Hand.start(config, deck)
        table.positions = {"button": plan.positions.button, "small_blind": plan.positions.small_blind,
                           "big_blind": plan.positions.big_blind}
        table.hands_dealt += 1
        table.save(update_fields=["positions", "hands_dealt"])
        for seat in occupied:
            owes = plan.owes.get(seat.number, engine.Post.NONE).value
            if seat.owes != owes:
                seat.owes = owes
                seat.save(update_fields=["owes"])
        by_number = {s.number: s for s in occupied}
        hand = Hand.objects.create(
            table=table, number=table.hands_dealt, button=plan.positions.button, config=config.to_dict(),
            deck=deck.to_dict(), commitment=dealt.commitment(),
            players={str(n): by_number[n].user_id for n in dealt.seats},
        )
        HandPlayer.objects.bulk_create(
            HandPlayer(hand=hand, user_id=by_number[n].user_id, seat=n, starting_stack=config.entry(n).stack)
            for n in dealt.seats
        )
        live.remember(hand, dealt)
        to_act = None if dealt.is_over else _arm_clock(table, hand, dealt)
        emit("TABLE", table.pk, "HAND_START", {
            "hand_id": str(hand.pk), "hand_no": hand.number, "button": plan.positions.button,
            "small_blind": table.small_blind, "big_blind": table.big_blind, "ante": table.ante,
            "seats": [{"seat": n, "user": user_ref(by_number[n].user), "stack": config.entry(n).stack}
                      for n in dealt.seats],
            "deck_commitment": hand.commitment,
            "to_act": to_act,
        })
        _publish(table, hand, dealt, opening, to_act)
        return hand


def do_player_action(user: Any, table_id: int | str, action: str, amount: int | None = None, *,
                     hand_id: str | None = None, turn: int | None = None) -> None:
    """A betting action by ``user`` at ``table_id``.

    ``hand_id`` and ``turn``, when given, name the decision the player
    answers: a click meant for one that is over never lands on the next.
    """
    with transaction.atomic():
        table = lock_table(table_id)
        hand = live_hand(table)
        if hand is None:
            raise errors.Conflict("No hand is in play.")
        dealt = live.engine_hand(hand)
        check_decision(hand, dealt, hand_id, turn)
        seat = seat_of(table, user)
        if seat is None or hand.players.get(str(seat.number)) != user.pk:
            raise errors.Forbidden("You are not in this hand.")
        _act(table, hand, dealt, seat, action, amount, auto=False)


def check_decision(hand: Hand, dealt: engine.Hand, hand_id: str | None, turn: int | None) -> None:
    """CONFLICT unless ``hand_id`` and ``turn`` (each when given) are the decision in play."""
    if hand_id is not None and hand_id != str(hand.pk):
        raise errors.Conflict(f"Hand {hand_id} is not the one in play ({hand.pk}).")
    current = snapshots.turn(dealt)
    if turn is not None and turn != current:
        raise errors.Conflict(f"Turn {turn} is not the one in play ({current}).")


def _act(table: Table, hand: Hand, dealt: engine.Hand, seat: Seat, action: str, amount: int | None, *,
         auto: bool) -> None:
    try:
        events = dealt.act(seat.number, action, amount)
    except engine.NotYourTurn as error:
        raise errors.NotYourTurn(str(error)) from None
    except engine.IllegalAction as error:
        raise errors.IllegalAction(error.reason) from None
    HandAction.objects.create(hand=hand, index=len(dealt.actions) - 1, seat=seat.number,
                              action=action, amount=dealt.actions[-1].amount, auto=auto)
    _spend_clock(table, hand, seat, auto=auto)
    to_act = None if dealt.is_over else _arm_clock(table, hand, dealt)
    _publish(table, hand, dealt, events, to_act, auto_seat=seat.number if auto else None)


def _spend_clock(table: Table, hand: Hand, seat: Seat, *, auto: bool) -> None:
    """Charge the time bank for time used past the action clock."""
    fields = []
    timeouts = seat.timeouts_in_row + 1 if auto else 0
    if timeouts != seat.timeouts_in_row:
        seat.timeouts_in_row = timeouts
        fields.append("timeouts_in_row")
    if hand.bank_started_at is not None:
        used = (_now() - hand.bank_started_at).total_seconds()
        seat.time_bank_left = 0 if auto else max(0.0, seat.time_bank_left - used)
        fields.append("time_bank_left")
    if fields:  # most actions change neither: no write on the hot path
        seat.save(update_fields=fields)
    if auto and seat.timeouts_in_row >= _conf("TIMEOUTS_BEFORE_SIT_OUT") and seat.status == SeatStatus.ACTIVE:
        _sit_out(table, seat)


def _publish(table: Table, hand: Hand, dealt: engine.Hand, events: list[engine.HandEvent],
             to_act: dict[str, Any] | None, auto_seat: int | None = None) -> None:
    """Emit the engine's events as protocol events; the last one carries ``to_act``."""
    players = {int(n): uid for n, uid in hand.players.items()}
    refs = live.player_refs(hand)
    # Only the batch's last event says who acts next; the earlier ones
    # happened while the answer was still open.
    carriers = [i for i, e in enumerate(events) if e.type in snapshots.CARRY_TO_ACT]
    last = carriers[-1] if carriers else None
    uncalled: dict[int, int] = {}
    for i, event in enumerate(events):
        data = dict(event.data)
        if event.type == "UNCALLED_BET":
            # Not a protocol type: the returned chips show in HAND_END's stacks
            # and in its "uncalled" field.
            uncalled[data["seat"]] = uncalled.get(data["seat"], 0) + data["amount"]
            continue
        if event.type == "HAND_END":
            _end_hand(table, hand, dealt, refs, players, uncalled)
            continue
        data = {"hand_id": str(hand.pk), **data}
        if "seat" in data:
            data["user"] = refs[data["seat"]]
        if event.type in snapshots.CARRY_TO_ACT:
            data["to_act"] = to_act if i == last else None
        if event.type == "PLAYER_ACTION":
            if i == last:
                # A fold changes who can win the pots; later events of a batch
                # (a street dealt) carry the pots themselves.
                data["pots"] = [p.to_dict() for p in dealt.pots]
            if data["seat"] == auto_seat and not data["action"].startswith("post_"):
                data["auto"] = True
        elif event.type == "DEAL_CARDS":
            for number in data["seats"]:
                emit("PLAYER", players[number], "DEAL_CARDS", {
                    "table_id": str(table.pk), "hand_id": str(hand.pk), "seat": number,
                    "cards": dealt.hole_cards(number),
                })
        elif event.type == "SHOWDOWN":
            data["hands"] = [{**shown, "user": refs[shown["seat"]]}
                             for shown in data["hands"]]
        emit("TABLE", table.pk, event.type, data)


def _arm_clock(table: Table, hand: Hand, dealt: engine.Hand) -> dict[str, Any] | None:
    info = dealt.to_act_info()
    if info is None:
        return None
    deadline = _now() + dt.timedelta(seconds=table.action_seconds)
    hand.action_deadline = deadline
    hand.bank_started_at = None
    hand.save(update_fields=["action_deadline", "bank_started_at"])
    schedule(f"table:{table.pk}:action", "tables.action_clock", deadline,
             {"table_id": table.pk, "hand_id": hand.pk, "actions": len(dealt.actions)})
    return snapshots.to_act(dealt, hand, deadline)


def do_action_clock_expired(table_id: int, hand_id: int, actions: int) -> None:
    """The player to act ran out of time: start their time bank, or act for them."""
    with transaction.atomic():
        table = lock_table(table_id)
        hand = Hand.objects.filter(pk=hand_id, table=table, status=HandStatus.LIVE).first()
        if hand is None:
            return
        dealt = live.engine_hand(hand)
        number = dealt.to_act()
        if number is None or len(dealt.actions) != actions:
            return
        seat = Seat.objects.get(table=table, number=number)
        if hand.bank_started_at is None and seat.time_bank_left >= 1 and seat.user_id == hand.players[str(number)]:
            now = _now()
            hand.bank_started_at = now
            hand.action_deadline = now + dt.timedelta(seconds=seat.time_bank_left)
            hand.save(update_fields=["bank_started_at", "action_deadline"])
            schedule(f"table:{table.pk}:action", "tables.action_clock", hand.action_deadline,
                     {"table_id": table.pk, "hand_id": hand.pk, "actions": actions})
            emit("TABLE", table.pk, "TABLE_UPDATE", {
                "hand_id": str(hand.pk), "time_bank": {"seat": number, "seconds": seat.time_bank_left},
                "to_act": snapshots.to_act(dealt, hand, hand.action_deadline),
            })
            return
        action = "check" if "check" in dealt.legal_actions() else "fold"
        _act(table, hand, dealt, seat, action, None, auto=True)


def _end_hand(table: Table, hand: Hand, dealt: engine.Hand, refs: dict[int, dict[str, str]],
              players: dict[int, int], uncalled: dict[int, int]) -> None:
    """Settle the hand: stacks back on the seats, events out, leavers stood up, next hand asked for."""
    final = dealt.stacks
    winners = [{"seat": w.seat, "user": refs[w.seat], "amount": w.amount, "pot": w.pot}
               for w in dealt.winnings()]
    stacks = [{"seat": n, "user": refs[n], "stack": final[n]} for n in dealt.seats]
    proof = dealt.deck_proof()
    hand.status = HandStatus.ENDED
    hand.ended_at = _now()
    hand.action_deadline = None
    hand.result = {
        "winners": winners, "board": dealt.board, "stacks": stacks, "uncalled": uncalled,
        "shown": {str(n): list(c) for n, c in dealt.shown_cards().items()},
        "revealed": dealt.revealed_positions(), "deck_proof": proof,
    }
    hand.save(update_fields=["status", "ended_at", "action_deadline", "result"])
    cancel(f"table:{table.pk}:action")
    seats = {s.number: s for s in Seat.objects.filter(table=table, number__in=dealt.seats)}
    for number in dealt.seats:
        seat = seats[number]
        if seat.user_id == players[number]:
            seat.stack = final[number]
            seat.save(update_fields=["stack"])
        HandPlayer.objects.filter(hand=hand, seat=number).update(final_stack=final[number])
    emit("TABLE", table.pk, "HAND_END", {
        "hand_id": str(hand.pk), "winners": winners, "board": dealt.board, "stacks": stacks,
        "uncalled": [{"seat": n, "amount": a} for n, a in sorted(uncalled.items())],
        "deck_proof": proof,
    })
    for number in dealt.seats:
        emit("PLAYER", players[number], "HAND_END", {
            "table_id": str(table.pk), "hand_id": str(hand.pk), "seat": number,
            "reveals": dealt.hole_card_reveals(number), "stack": final[number],
        })
    live.forget(hand)
    for seat in Seat.objects.filter(table=table, user__isnull=False).order_by("number"):
        if seat.leaving or (seat.stack == 0 and table.kind == TableKind.CASH):
            _stand_up(table, seat)
    _maybe_schedule_hand(table)
