"""Where the visitor is, for the main navigation's aria-current."""

from django import template

register = template.Library()


@register.filter
def within(path: str, section: str) -> bool:
    """True when `path` is the page `section` or a page below it ("/" only for itself)."""
    if not section:
        return False
    if section == "/":
        return path == "/"
    return path == section or path.startswith(section.rstrip("/") + "/")
