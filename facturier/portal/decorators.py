"""Access rules shared by every portal view: logged in (and TOTP-verified when enabled), one seller, read-only."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django_otp import user_has_device

from facturier.accounts.models import Seller

View = Callable[..., HttpResponse]


def otp_satisfied(request: HttpRequest) -> bool:
    user = request.user
    return not user_has_device(user, confirmed=True) or user.is_verified()


def account_required(view: View) -> View:
    """Logged in with a verified e-mail and, if TOTP is on, a verified second factor; no seller needed."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not otp_satisfied(request):
            logout(request)
            return redirect("portal:login")
        request.seller = Seller.objects.filter(owner=request.user).first()
        return view(request, *args, **kwargs)

    return wrapper


def seller_required(view: View) -> View:
    """A registered seller; every object a view touches is then looked up through `request.seller`."""

    @account_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.seller is None:
            return redirect("portal:onboarding_company")
        return view(request, *args, **kwargs)

    return wrapper


def refuse_if_read_only(request: HttpRequest) -> HttpResponse | None:
    seller = request.seller
    if seller is not None and seller.is_read_only:
        messages.error(request, _("Votre compte est en lecture seule depuis votre désinscription : "
                                  "aucune modification n'est possible."))
        return redirect("portal:dashboard")
    return None


def writable(view: View) -> View:
    """POSTs are refused once the seller has unsubscribed (the account is read-only)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "POST":
            refusal = refuse_if_read_only(request)
            if refusal is not None:
                return refusal
        return view(request, *args, **kwargs)

    return wrapper


def seller_writable(view: View) -> View:
    return seller_required(writable(view))


def posted(request: HttpRequest):
    """The POST data to bind a form to (even an empty POST, e.g. an unticked checkbox), None on GET."""
    return request.POST if request.method == "POST" else None
