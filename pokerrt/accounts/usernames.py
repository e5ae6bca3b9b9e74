"""What a new username may be, and when two usernames are the same name.

A name is stored in NFKC form (what Django's user manager saves anyway), and
two names are the same when their canonical forms are: NFKC, then case
folded, so ``ａｌｉｃｅ``, ``Alice`` and ``ALICE`` are all ``alice``. The
database holds one user per canonical name (``CanonicalUsername``); the check
here only turns the common case into a friendly error before the insert.

Names mixing letters of scripts that do not belong together (a Cyrillic ``а``
in ``аlice``) are refused: they exist to look like somebody else. The rule is
Unicode's "highly restrictive" level (UTS #39): one script, or Latin with the
scripts that Chinese, Japanese and Korean writing combine.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError

from .models import CanonicalUsername

MAX_LENGTH = 150  # django.contrib.auth's username column
ALLOWED = re.compile(r"^[\w.@+-]+\Z")

INVALID = "Letters, digits and @/./+/-/_ only."
TOO_LONG = f"At most {MAX_LENGTH} characters."
MIXED_SCRIPTS = "Letters of one script only: a name may not mix, say, Latin with Cyrillic or Greek."
TAKEN = "This username is taken."

# Sets of scripts one name may combine; any single script is fine as well.
COMBINABLE_SCRIPTS = (
    frozenset({"LATIN", "HAN", "HIRAGANA", "KATAKANA"}),
    frozenset({"LATIN", "HAN", "BOPOMOFO"}),
    frozenset({"LATIN", "HAN", "HANGUL"}),
)
# Letters whose Unicode name does not begin with their script's name.
SCRIPT_OF_NAME_PREFIX = {
    "CJK": "HAN",
    "IDEOGRAPHIC": "HAN",  # 々, the iteration mark
    "KATAKANA-HIRAGANA": "KATAKANA",  # ー, the prolonged sound mark
}


def normalise(name: str) -> str:
    """The form a name is stored and shown in."""
    return unicodedata.normalize("NFKC", name)


def canonical(name: str) -> str:
    """The key under which two names that differ only by case or width are one."""
    # Case folding can leave text that is no longer NFKC (and NFKC can change
    # what folds), so normalise on both sides to get one stable key.
    return unicodedata.normalize("NFKC", normalise(name).casefold())


def scripts_of(name: str) -> set[str]:
    """The scripts of the letters in ``name``; digits and punctuation have none."""
    found = set()
    for character in name:
        if unicodedata.category(character).startswith("L"):
            prefix = unicodedata.name(character, "UNNAMED").split()[0]
            found.add(SCRIPT_OF_NAME_PREFIX.get(prefix, prefix))
    return found


def mixes_scripts(name: str) -> bool:
    scripts = scripts_of(name)
    return len(scripts) > 1 and not any(scripts <= allowed for allowed in COMBINABLE_SCRIPTS)


def check_username(name: str) -> str:
    """The normalised name if a new account may take it; ValidationError otherwise."""
    name = normalise(name)
    if not ALLOWED.match(name):
        raise ValidationError(INVALID, code="invalid")
    if len(name) > MAX_LENGTH:
        raise ValidationError(TOO_LONG, code="max_length")
    if mixes_scripts(name):
        raise ValidationError(MIXED_SCRIPTS, code="mixed_scripts")
    if is_taken(name):
        raise ValidationError(TAKEN, code="taken")
    return name


def is_taken(name: str) -> bool:
    return CanonicalUsername.objects.filter(canonical=canonical(name)).exists()
