from collections.abc import Callable
from typing import Any, cast

from allauth.account import forms as account_forms
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.totp import forms as totp_forms
from django import forms
from django.contrib.auth import password_validation

from daybook.accounts.models import Role


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="Work e-mail address",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    role = forms.ChoiceField(label="Role", widget=forms.RadioSelect)

    def __init__(self, *args: Any, roles: list[Role], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = [
            (role.value, role.label) for role in roles
        ]


class RoleChangeForm(forms.Form):
    role = forms.ChoiceField(label="New role", widget=forms.Select)

    def __init__(self, *args: Any, roles: list[Role], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = [
            (role.value, role.label) for role in roles
        ]


class InvitationAcceptForm(forms.Form):
    name = forms.CharField(label="Your name", max_length=150)
    password1 = forms.CharField(
        label="Create a password",
        help_text="At least 10 characters. Three random words work well.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Type the password again",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The passwords do not match")
        if first:
            try:
                password_validation.validate_password(first)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


# --- Sign-in, sign-up and security forms -------------------------------------------------
# allauth's stock labels ("Email", "New Password (again)", "Code") are replaced so every
# account page uses the same words as the rest of Daybook.

NAME_LABEL = "What should we call you? (optional)"
NAME_HINT = (
    "It can be your first name or a name you choose. It is used in your reports, "
    "such as the chronology you can give to the police."
)
EMAIL_LABEL = "E-mail address"
NEW_PASSWORD_HINT = "At least 10 characters. Three random words work well."  # noqa: S105 (advice)
CODE_LABEL = "Code from your authenticator app"
CODE_HINT = "The 6-digit code your authenticator app shows now, or one of your recovery codes."


def _relabel(form: forms.BaseForm, labels: dict[str, tuple[str, str]]) -> None:
    """Give fields Daybook's label and hint (an empty hint removes the stock one)."""
    for name, (label, hint) in labels.items():
        if name in form.fields:
            form.fields[name].label = label
            form.fields[name].help_text = hint
            form.fields[name].widget.attrs.pop("placeholder", None)


def name_field() -> forms.CharField:
    return forms.CharField(
        label=NAME_LABEL,
        help_text=NAME_HINT,
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "nickname", "spellcheck": "false"}),
    )


class LoginForm(account_forms.LoginForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The page has its own "I have forgotten my password" link.
        _relabel(self, {"login": (EMAIL_LABEL, ""), "password": ("Password", "")})


class SignupForm(account_forms.SignupForm):
    name = name_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(
            self,
            {
                "email": (EMAIL_LABEL, ""),  # the page says why it should be private
                "password1": ("Create a password", NEW_PASSWORD_HINT),
                "password2": ("Type the password again", ""),
            },
        )
        self.order_fields(["name", "email", "password1", "password2"])

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data.get("name", "").split())


NEW_PASSWORD_LABELS = {
    "password1": ("New password", NEW_PASSWORD_HINT),
    "password2": ("Type the new password again", ""),
}


class ChangePasswordForm(account_forms.ChangePasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(
            self,
            {"oldpassword": ("Current password", ""), **NEW_PASSWORD_LABELS},
        )


class SetPasswordForm(account_forms.SetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self, NEW_PASSWORD_LABELS)


class ResetPasswordForm(account_forms.ResetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self, {"email": (EMAIL_LABEL, "The address you use to sign in.")})


class RequestLoginCodeForm(account_forms.RequestLoginCodeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self, {"email": (EMAIL_LABEL, "The address you use to sign in.")})

    def clean_email(self) -> str:
        try:
            return str(super().clean_email())
        except forms.ValidationError as error:
            # The shared words ("sign in with a code instead") would point back to this page.
            if error.code == "too_many_login_attempts":
                raise forms.ValidationError(
                    "A few codes have been asked for in the last minute. Wait a minute, "
                    "then ask again.",
                    code=error.code,
                ) from error
            raise


class ConfirmLoginCodeForm(account_forms.ConfirmLoginCodeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self, {"code": ("Code from the e-mail", "")})
        self.fields["code"].widget.attrs.update(
            {"autocomplete": "one-time-code", "spellcheck": "false"}
        )


class ResetPasswordKeyForm(account_forms.ResetPasswordKeyForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self, NEW_PASSWORD_LABELS)


class AddEmailForm(account_forms.AddEmailForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self, {"email": ("New e-mail address", "Use an address that only you can read.")})


class ReauthenticateForm(account_forms.ReauthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self, {"password": ("Password", "")})


MFA_PAUSED = "Too many wrong codes in a short time. Wait a few minutes, then try again."


def _mfa_pause_reworded(clean: Callable[[], str]) -> str:
    """The shared "too many attempts" words offer a code by e-mail, which would lead straight
    back to this step: here they only say to wait."""
    try:
        return clean()
    except forms.ValidationError as error:
        if error.code == "too_many_login_attempts":
            raise forms.ValidationError(MFA_PAUSED, code=error.code) from error
        raise


class MFAAuthenticateForm(mfa_forms.AuthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self, {"code": (CODE_LABEL, CODE_HINT)})

    def clean_code(self) -> str:
        return _mfa_pause_reworded(super().clean_code)


class MFAReauthenticateForm(mfa_forms.ReauthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self, {"code": (CODE_LABEL, CODE_HINT)})

    def clean_code(self) -> str:
        return _mfa_pause_reworded(super().clean_code)


class ActivateTOTPForm(totp_forms.ActivateTOTPForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self, {"code": (CODE_LABEL, "The 6-digit code your app shows after you add it.")})


class NameForm(forms.Form):
    """The page's heading asks "What should we call you?", so the field names what to type."""

    name = name_field()

    def __init__(self, *args: Any, victim: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        name = self.fields["name"]
        if victim:
            name.label = "A first name or a name you choose (optional)"
            name.help_text = "It is used in your reports, such as your chronology."
        else:
            # Staff names appear in team lists, case records and the reports they produce.
            name.label = "Your name"
            name.help_text = "Colleagues and the people you support see this name."
            name.required = True

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data.get("name", "").split())
