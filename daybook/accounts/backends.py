"""Signing in, without Django's permission tables.

Daybook grants nothing through Django's user and group permissions: every rule is a `rules`
predicate on the person's role and the object (daybook/*/policy.py). allauth's sign-in backend
inherits Django's model backend, which looked those tables up (two queries) on the first
permission check of every page, only to find them empty; and a row put in them would have
granted what the policies do not.
"""

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend


class SignInBackend(AuthenticationBackend):
    """allauth's e-mail and password sign-in; permissions come from the policies alone."""

    def get_user_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()
