"""`{% draft_for "incidents.amend" case.pk entry.pk %}`, inside a <form> that keeps drafts.

It adds the hidden field naming the form (drafts.js finds forms by it, and the middleware
deletes the draft once the form is saved), says that drafts are kept, and, when the page is
opened afresh, hands drafts.js what the person wrote last time so it can fill it in again.
"""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from daybook.drafts.kinds import form_key

FIELD = "daybook_draft"

register = template.Library()


@register.simple_tag(takes_context=True)
def draft_for(context: template.Context, kind: str, *ids: int | str | None) -> SafeString:
    from daybook.drafts.selectors import payload_for
    from daybook.drafts.services import exit_token

    request = context["request"]
    if not request.user.is_authenticated:
        return SafeString("")  # drafts need an account: nothing is kept for anyone else
    key = form_key(kind, *ids)
    found = None
    if request.user.is_authenticated and request.method in ("GET", "HEAD"):
        found = payload_for(request.user, key)
    return render_to_string(
        "drafts/_form_hook.html",
        {
            "field": FIELD,
            "key": key,
            "exit_token": exit_token(owner=request.user, key=key),
            "draft": found[0] if found else None,
            "fields": found[1]["fields"] if found else None,
            "element_id": "draft-" + key.replace(":", "-").replace(".", "-"),
        },
        request=request,
    )
