"""Check a finished hand's deck proof: ``python -m tables.engine.verify``.

Reads JSON ``{"deck_commitment": "...", "deck_proof": {...}}`` (the fields
of HAND_START and HAND_END) from a file or standard input, prints the
revealed cards and exits 0 when the proof holds, 1 when it does not::

    python -m tables.engine.verify hand.json
"""

from __future__ import annotations

import argparse
import json
import sys

from tables.engine.deck import verify_deck_proof


def main(argv: list[str] | None = None) -> int:
    """Run the verifier; the exit status says whether the proof holds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('file', nargs='?', help='JSON file (default: stdin)')
    args = parser.parse_args(argv)
    if args.file:
        with open(args.file, encoding='utf-8') as handle:
            data = json.load(handle)
    else:
        data = json.load(sys.stdin)
    proof = data['deck_proof']
    if not verify_deck_proof(data['deck_commitment'], proof):
        print('INVALID: the proof does not match the commitment')
        return 1
    for reveal in proof['reveals']:
        print(f"position {reveal['position']:2d}: {reveal['card']}")
    print('OK: every revealed card is the one committed at HAND_START')
    return 0


if __name__ == '__main__':
    sys.exit(main())
