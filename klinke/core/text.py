"""The one rule for text that people type or send: what is refused and what is removed.

Every text input goes through here: web forms (`klinke.core.forms.CleanTextInputs`), API input
schemas (`klinke.core.api_schemas.InputSchema`) and the contact imports.

- A NUL character is refused: PostgreSQL cannot store it, and no one types it on purpose.
  Forms and the API answer with an error naming the field (an import, which cannot ask back,
  drops it).
- Bidirectional controls are removed everywhere. An unmatched right-to-left override in a name
  reverses the text after it ("Trojan Source"), on our pages and in every export; the marks
  add nothing a browser does not already do with `dir="auto"`.
- Other invisible characters that serve to disguise a name are removed too: zero-width space,
  word joiner, byte order mark, and the C0/C1 control characters except tab and line breaks.
  Zero-width joiner and non-joiner stay: emoji and several scripts need them.
"""

from __future__ import annotations

import re

NUL = "\x00"

BIDI_CONTROLS = frozenset(
    "\u061c"  # ARABIC LETTER MARK
    "\u200e\u200f"  # LEFT-TO-RIGHT MARK, RIGHT-TO-LEFT MARK
    "\u202a\u202b\u202c\u202d\u202e"  # embeddings, pop, overrides
    "\u2066\u2067\u2068\u2069"  # isolates
)

INVISIBLE_FORMAT = frozenset(
    "\u200b"  # ZERO WIDTH SPACE
    "\u2060"  # WORD JOINER
    "\ufeff"  # ZERO WIDTH NO-BREAK SPACE / byte order mark
)

# C0 and C1 controls, less tab, line feed and carriage return.
_CONTROLS = "".join(chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_CONTROLS += "".join(chr(c) for c in range(0x7F, 0xA0))

REMOVED = BIDI_CONTROLS | INVISIBLE_FORMAT | frozenset(_CONTROLS)
_REMOVED_RE = re.compile("[" + re.escape("".join(sorted(REMOVED))) + "]")

NUL_MESSAGE = "contains a NUL character, which is not allowed"


def has_nul(text: str) -> bool:
    return NUL in text


def clean_text(text: str) -> str:
    """`text` without bidirectional controls, invisible format characters and control
    characters (NUL included); tabs and line breaks are kept."""
    return _REMOVED_RE.sub("", text)
