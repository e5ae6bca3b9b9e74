"""Event ids cut from the generator read in bulk (pokerrt.event_ids): random version 4 UUIDs, never shared with a fork."""

from __future__ import annotations

import os
import threading

from pokerrt import event_ids


def test_ids_are_version_4_and_unique_across_reads():
    ids = [event_ids.uuid4() for _ in range(1000)]  # about four reads of the generator
    assert len(set(ids)) == 1000
    assert {i.version for i in ids} == {4}
    assert {i.variant for i in ids} == {"specified in RFC 4122"}


def test_threads_cut_from_pools_of_their_own():
    found: list = []
    threads = [threading.Thread(target=lambda: found.extend(event_ids.uuid4() for _ in range(300))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(found)) == 1200


def test_a_forked_child_does_not_repeat_its_parents_ids():
    event_ids.uuid4()  # the parent's pool holds ids it has not given yet
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next id, to the parent
        os.close(read)
        os.write(write, event_ids.uuid4().bytes)
        os._exit(0)
    os.close(write)
    child = os.read(read, 16)
    os.close(read)
    os.waitpid(pid, 0)
    assert event_ids.uuid4().bytes != child
