"""Log-in (throttled, with the optional TOTP step), log-out, sign-up and e-mail verification."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.contrib.auth.hashers import make_password
from django.contrib.auth.views import PasswordResetView
from django.core import signing
from django.core.mail import send_mail
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from facturier.core.clock import now, today_in_paris
from facturier.portal import throttle
from facturier.portal.decorators import posted
from facturier.portal.forms.auth import LoginForm, OtpForm, SignupForm
from facturier.portal.pricing import tier_rows
from facturier.portal.terms import TERMS_TEMPLATE, TERMS_VERSION

VERIFY_SALT = "facturier.portal.verify-email"
VERIFY_MAX_AGE = 3 * 24 * 3600
PENDING_OTP_USER = "portal_otp_user_id"
PENDING_NEXT = "portal_next"


def safe_next(request: HttpRequest, candidate: str | None) -> str:
    """`next` only when it stays on this site (no open redirect), else the dashboard."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(posted(request))
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if request.method == "POST" and form.is_valid():
        response = _attempt_login(request, form, next_url)
        if response is not None:
            return response
    return render(request, "portal/auth/login.html", {"form": form, "next": next_url})


def _attempt_login(request: HttpRequest, form: LoginForm, next_url: str) -> HttpResponse | None:
    email = form.cleaned_data["email"].lower()
    wait = throttle.retry_after(throttle.LOGIN, email, request)
    if wait is not None:
        form.add_error(None, throttle.throttled_message(wait))
        return None
    user = authenticate(request, username=email, password=form.cleaned_data["password"])
    if user is None:
        throttle.record(throttle.LOGIN, email, request)
        form.add_error(None, _("E-mail ou mot de passe incorrect."))
        return None
    if not user.email_verified:
        form.add_error(None, _("Confirmez d'abord votre adresse e-mail avec le lien que nous vous avons envoyé."))
        return None
    throttle.reset(throttle.LOGIN, email, request)
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        request.session[PENDING_OTP_USER] = user.pk
        request.session[PENDING_NEXT] = next_url
        return redirect("portal:login_otp")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect(safe_next(request, next_url))


def login_otp_view(request: HttpRequest) -> HttpResponse:
    user_id = request.session.get(PENDING_OTP_USER)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    if user is None:
        return redirect("portal:login")
    form = OtpForm(posted(request))
    if request.method == "POST" and form.is_valid():
        wait = throttle.retry_after(throttle.OTP, str(user.pk), request)
        if wait is not None:
            form.add_error(None, throttle.throttled_message(wait))
        else:
            device = _matching_device(user, form.cleaned_data["code"])
            if device is not None:
                next_url = request.session.get(PENDING_NEXT, "")
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                otp_login(request, device)
                return redirect(safe_next(request, next_url))
            throttle.record(throttle.OTP, str(user.pk), request)
            form.add_error("code", _("Code incorrect ou expiré."))
    return render(request, "portal/auth/login_otp.html", {"form": form})


def _matching_device(user, code: str) -> TOTPDevice | None:
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(code):
            return device
    return None


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("Vous êtes déconnecté."))
    return redirect("portal:login")


def signup_view(request: HttpRequest) -> HttpResponse:
    form = SignupForm(posted(request))
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        existing = get_user_model().objects.filter(email=email).first()
        # The same page either way: the form never tells whether an address has an account; its owner is told.
        if existing is None:
            user = get_user_model().objects.create_user(
                email, form.cleaned_data["password1"], email_verified=False,
                terms_version=TERMS_VERSION, terms_accepted_at=now(),
            )  # fmt: skip
            send_verification_email(request, user)
        else:
            make_password(form.cleaned_data["password1"])  # the same hashing time: no timing tells them apart
            if throttle.retry_after(throttle.SIGNUP_EXISTING, email, request) is None:  # no mail bombing of an owner
                throttle.record(throttle.SIGNUP_EXISTING, email, request)
                send_account_exists_email(request, existing)
        return render(request, "portal/auth/signup_sent.html", {"email": email})
    return render(request, "portal/auth/signup.html", {
        "form": form, "tiers": tier_rows(today_in_paris()), "terms_version": TERMS_VERSION,
    })  # fmt: skip


def terms_view(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/terms.html", {
        "version": TERMS_VERSION, "terms_template": TERMS_TEMPLATE, "tiers": tier_rows(today_in_paris()),
    })  # fmt: skip


def send_account_exists_email(request: HttpRequest, user) -> None:
    if not user.email_verified:  # never confirmed: the confirmation link again
        send_verification_email(request, user)
        return
    body = render_to_string("portal/email/account_exists.txt", {
        "login_link": request.build_absolute_uri(reverse("portal:login")),
        "reset_link": request.build_absolute_uri(reverse("portal:password_reset")),
    })  # fmt: skip
    send_mail(_("Facturier : vous avez déjà un compte"), body, None, [user.email])


class ThrottledPasswordResetView(PasswordResetView):
    """At most a few reset e-mails per address and per IP in the window, whether the address has an account."""

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        wait = throttle.retry_after(throttle.PASSWORD_RESET, email, self.request)
        if wait is not None:
            form.add_error(None, throttle.throttled_message(wait))
            return self.form_invalid(form)
        throttle.record(throttle.PASSWORD_RESET, email, self.request)
        return super().form_valid(form)


def verification_token(user) -> str:
    return signing.dumps({"user": user.pk, "email": user.email}, salt=VERIFY_SALT)


def send_verification_email(request: HttpRequest, user) -> None:
    link = request.build_absolute_uri(reverse("portal:verify_email", args=[verification_token(user)]))
    body = render_to_string("portal/email/verify.txt", {"link": link, "user": user})
    send_mail(_("Facturier : confirmez votre adresse e-mail"), body, None, [user.email])


def verify_email_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)
    except signing.BadSignature:
        return render(request, "portal/auth/verify_failed.html", status=400)
    user = get_user_model().objects.filter(pk=data.get("user"), email=data.get("email")).first()
    if user is None:
        return render(request, "portal/auth/verify_failed.html", status=400)
    if user.email_verified:
        # A used link never logs anyone in again (it could bypass the second factor enabled since).
        messages.info(request, _("Adresse déjà confirmée : connectez-vous."))
        return redirect("portal:login")
    user.email_verified = True
    user.save(update_fields=["email_verified"])
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("Adresse e-mail confirmée. Présentez maintenant votre entreprise."))
    return redirect("portal:onboarding_company")
