from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from klinke.core.submissions import FIELD, new_token

register = template.Library()


@register.simple_tag
def submission_token() -> SafeString:
    """A hidden one-time token that makes a create form safe to post twice."""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_token())
