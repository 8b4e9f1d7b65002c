"""Working languages people and collectives can name (ISO 639-1)."""

from django.utils.translation import gettext_lazy as _

WORKING_LANGUAGES = [
    ("de", _("German")),
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("it", _("Italian")),
    ("nl", _("Dutch")),
    ("pl", _("Polish")),
    ("cs", _("Czech")),
    ("tr", _("Turkish")),
    ("ar", _("Arabic")),
    ("uk", _("Ukrainian")),
    ("ru", _("Russian")),
    ("pt", _("Portuguese")),
    ("da", _("Danish")),
    ("sv", _("Swedish")),
]
LANGUAGE_NAMES = dict(WORKING_LANGUAGES)
