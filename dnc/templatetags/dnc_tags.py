from django import template

from dnc.phone import format_national

register = template.Library()


@register.filter
def national(e164: str) -> str:
    """Show an E.164 number the way people of the default region write it."""
    return format_national(e164) if e164 else ""


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """Return the current query string with some parameters replaced."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"
