"""The embedded profile's secret key: made once, kept in a private file, reused.

A one-machine install has nowhere else to keep a secret, and a key made afresh
at every start would log everybody out and break every signed link. So the
first process to start writes a random key, and every later process (the
server, ``manage.py`` commands, a second node) reads the same one.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def embedded_secret_key(path: Path) -> str:
    """The key stored at ``path``, created (mode 600) if there is none yet."""
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written in full under a private name, then linked into place: a reader
    # never sees a half-written key, and of two processes starting at once the
    # second's link fails and it reads the first one's key instead of
    # replacing it under the first one's feet.
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_urlsafe(50) + "\n")
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
    finally:
        draft.unlink(missing_ok=True)
    return _read(path)


def _read(path: Path) -> str:
    key = path.read_text().strip()
    if not key:
        raise ImproperlyConfigured(
            f"{path} is empty. Delete it to have a new secret key made, or set DJANGO_SECRET_KEY."
        )
    return key
