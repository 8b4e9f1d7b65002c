"""How much of one kind a single contact may hold, for every way in.

vCard, CSV, the contact form, the API and merges all read these, so a file with ten thousand
EMAIL lines cannot make a contact that no page can show. Pure Python: the parsers use it too.
"""

from __future__ import annotations

MAX_EMAILS = 20
MAX_PHONES = 20
MAX_TAGS = 50
"""Also bounded by the 500 characters of the tags column."""
MAX_WEBSITES = 1
"""A contact has one website field; further URLs are reported, not kept."""
