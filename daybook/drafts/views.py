"""The Drafts page and the address forms save drafts to as people type."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from daybook.accounts.http import AuthenticatedHttpRequest
from daybook.accounts.models import User
from daybook.drafts import selectors, services
from daybook.drafts.kinds import place_of
from daybook.drafts.models import Draft

TOO_LONG = (
    "This is too long to keep as a draft automatically. It is still saved when you send the form."
)


@require_http_methods(["GET", "HEAD"])
def draft_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not request.user.has_perm("drafts.keep_drafts"):
        raise PermissionDenied
    return render(
        request,
        "drafts/list.html",
        {
            "drafts": selectors.drafts_of(request.user, request),
            "entry_drafts": selectors.entry_drafts_of(request.user),
        },
    )


def _own_draft(request: AuthenticatedHttpRequest, draft_id: int) -> selectors.Shown:
    draft = get_object_or_404(Draft.objects.select_related("case"), pk=draft_id, owner=request.user)
    found = selectors.shown(request.user, draft, request)
    if found is None:
        raise Http404
    return found


@require_http_methods(["GET", "HEAD"])
def draft_detail(request: AuthenticatedHttpRequest, draft_id: int) -> HttpResponse:
    return render(request, "drafts/detail.html", {"item": _own_draft(request, draft_id)})


@require_POST
def draft_discard(request: AuthenticatedHttpRequest, draft_id: int) -> HttpResponse:
    draft = get_object_or_404(Draft, pk=draft_id, owner=request.user)
    services.draft_discard(draft=draft, actor=request.user, why="discarded", request=request)
    messages.success(request, "Draft deleted.")
    return redirect("drafts:list")


def _keep(request: HttpRequest, owner: User) -> HttpResponse:
    key = request.POST.get("key", "")
    place = place_of(owner, key)
    try:
        payload = services.payload_from(request.POST.get("payload", ""))
    except services.PayloadTooLong:
        return JsonResponse({"message": TOO_LONG}, status=413)
    except (ValueError, json.JSONDecodeError):
        return JsonResponse({"message": "The draft could not be read."}, status=400)
    services.draft_save(owner=owner, key=key, place=place, payload=payload, request=request)
    return HttpResponse(status=204)


@require_POST
def draft_autosave(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Keep what someone has written so far. Called by drafts.js as they type."""
    return _keep(request, request.user)


@csrf_exempt  # the signed token, given only to the page, stands in for the CSRF token
@login_not_required  # Exit this page may already have ended the session
@require_POST
def draft_keep_on_exit(request: HttpRequest) -> HttpResponse:
    """The last save, queued by drafts.js with navigator.sendBeacon as the person leaves with
    Exit this page. The exit ends the session in the same instant, so the person is named by
    the page's signed exit token instead of the session."""
    key = request.POST.get("key", "")
    owner = services.owner_of_exit_token(request.POST.get("token", ""), key=key)
    return _keep(request, owner)
