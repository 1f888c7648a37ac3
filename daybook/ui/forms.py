from django.http import HttpRequest, QueryDict


def submitted(request: HttpRequest) -> QueryDict | None:
    """The POST data to bind a form to, even when empty, so a blank or forged post is
    validated and answered with messages instead of silently showing the form again."""
    return request.POST if request.method == "POST" else None
