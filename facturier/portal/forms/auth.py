"""Log-in, second factor and sign-up forms."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from facturier.accounts.models import User


class LoginForm(forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail"), widget=forms.EmailInput(attrs={"autofocus": True}))
    password = forms.CharField(label=_("Mot de passe"), strip=False, widget=forms.PasswordInput)


class OtpForm(forms.Form):
    code = forms.RegexField(
        label=_("Code à 6 chiffres"),
        regex=r"^\d{6}$",
        error_messages={"invalid": _("Saisissez les 6 chiffres affichés par votre application.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class SignupForm(forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail"))
    password1 = forms.CharField(label=_("Mot de passe"), strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("Confirmation du mot de passe"), strip=False, widget=forms.PasswordInput)
    accept_terms = forms.BooleanField(
        label=_("J'accepte les conditions générales d'utilisation et les tarifs."),
        error_messages={"required": _("Acceptez les conditions générales d'utilisation pour créer votre compte.")},
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean(self) -> dict:
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("Les deux mots de passe ne correspondent pas."))
        elif first:
            try:
                password_validation.validate_password(first, User(email=cleaned.get("email", "")))
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class UnsubscribeForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Je confirme vouloir me désinscrire."),
        error_messages={"required": _("Cochez la case pour confirmer la désinscription : rien n'a été changé.")},
    )
