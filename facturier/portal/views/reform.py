"""The reform page: what applies to this seller and from when, its e-reporting deadlines and reports."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from facturier.core.clock import today_in_paris
from facturier.ereporting.scope import profile_of
from facturier.ereporting.selectors import downloadable_report, reform_overview
from facturier.portal.decorators import posted, seller_required, seller_writable
from facturier.portal.forms.reform import ReformForm


@seller_writable
def reform_view(request: HttpRequest) -> HttpResponse:
    seller = request.seller
    form = ReformForm(posted(request), instance=profile_of(seller), seller=seller)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Réglages de la réforme enregistrés."))
        return redirect("portal:reform")
    overview = reform_overview(seller, today_in_paris())
    return render(request, "portal/reform.html", {"overview": overview, "form": form})


@seller_required
def ereport_download_view(request: HttpRequest, pk: int) -> HttpResponse:
    report = downloadable_report(request.seller, pk)
    if report is None:
        raise Http404
    response = HttpResponse(report.xml.encode("utf-8"), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{report.filename}"'
    return response
