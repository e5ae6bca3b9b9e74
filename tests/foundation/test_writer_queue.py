"""The turns of ``WriterQueue`` (pokerrt/sqlite3/base.py), on their own: no database needed."""

import threading

from pokerrt.sqlite3.base import WriterQueue


def test_the_turn_goes_to_the_waiter_not_back_to_the_thread_that_released_it():
    queue = WriterQueue()
    order = []
    assert queue.acquire(timeout=1)
    waiter = threading.Thread(target=lambda: (queue.acquire(timeout=10), order.append("waiter"), queue.release()))
    waiter.start()
    while queue.waiting() == 0:
        threading.Event().wait(0.001)
    queue.release()
    assert queue.acquire(timeout=10)  # at once again: behind the waiter
    order.append("releaser")
    queue.release()
    waiter.join(10)
    assert order == ["waiter", "releaser"]
    assert not queue.locked()


def test_a_wait_that_runs_out_leaves_the_line():
    queue = WriterQueue()
    assert queue.acquire(timeout=1)
    assert queue.acquire(timeout=0.01) is False
    assert queue.waiting() == 0
    queue.release()
    assert not queue.locked()
