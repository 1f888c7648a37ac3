"""The Drafts page and the address forms save drafts to as people type."""

import json

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from daybook.drafts import selectors, services
from daybook.drafts.kinds import place_of
from daybook.drafts.models import Draft

TOO_LONG = (
    "This is too long to keep as a draft automatically. It is still saved when you send the form."
)


@require_http_methods(["GET", "HEAD"])
def draft_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "drafts/list.html",
        {
            "drafts": selectors.drafts_of(request.user, request),
            "entry_drafts": selectors.entry_drafts_of(request.user),
        },
    )


def _own_draft(request: HttpRequest, draft_id: int) -> selectors.Shown:
    draft = get_object_or_404(Draft.objects.select_related("case"), pk=draft_id, owner=request.user)
    found = selectors.shown(request.user, draft, request)
    if found is None:
        raise Http404
    return found


@require_http_methods(["GET", "HEAD"])
def draft_detail(request: HttpRequest, draft_id: int) -> HttpResponse:
    return render(request, "drafts/detail.html", {"item": _own_draft(request, draft_id)})


@require_POST
def draft_discard(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = get_object_or_404(Draft, pk=draft_id, owner=request.user)
    services.draft_discard(draft=draft, actor=request.user, why="discarded", request=request)
    messages.success(request, "Draft deleted.")
    return redirect("drafts:list")


@require_POST
def draft_autosave(request: HttpRequest) -> HttpResponse:
    """Keep what someone has written so far. Called by drafts.js as they type and as they
    leave with Exit this page (then by navigator.sendBeacon, which never reads the answer)."""
    key = request.POST.get("key", "")
    place = place_of(request.user, key)
    try:
        payload = services.payload_from(request.POST.get("payload", ""))
    except services.PayloadTooLong:
        return JsonResponse({"message": TOO_LONG}, status=413)
    except (ValueError, json.JSONDecodeError):
        return JsonResponse({"message": "The draft could not be read."}, status=400)
    services.draft_save(owner=request.user, key=key, place=place, payload=payload, request=request)
    return HttpResponse(status=204)
