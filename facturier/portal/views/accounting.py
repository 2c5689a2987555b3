"""The accountant's page: the accounts of the sales journal, and its FEC over a chosen period."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from facturier.accounts.accounting import accounting_settings
from facturier.core.clock import now, today_in_paris
from facturier.invoicing import fec
from facturier.portal.decorators import posted, seller_required, seller_writable
from facturier.portal.forms.accounting import AccountingSettingsForm, FecPeriodForm


@seller_writable
def accounting_view(request: HttpRequest) -> HttpResponse:
    form = AccountingSettingsForm(posted(request), instance=accounting_settings(request.seller))
    if request.method == "POST" and form.is_valid():
        form.instance.updated_at = now()
        form.save()
        messages.success(request, _("Plan de comptes enregistré."))
        return redirect("portal:accounting")
    period_form = FecPeriodForm(initial=FecPeriodForm.initial_for(today_in_paris()))
    return _page(request, form, period_form, status=400 if form.errors else 200)


@require_GET
@seller_required
def fec_export_view(request: HttpRequest) -> HttpResponse:
    seller = request.seller
    if "period" not in request.GET:  # the address alone, without a period chosen on the page
        return redirect("portal:accounting")
    period_form = FecPeriodForm(request.GET)
    settings_form = AccountingSettingsForm(instance=accounting_settings(seller))
    if not period_form.is_valid():
        return _page(request, settings_form, period_form, status=400)
    period = period_form.chosen_period()
    foreign = fec.foreign_currency_documents(seller, period)
    if foreign:
        period_form.add_error(None, _("Ces documents ne sont pas en euros et le FEC les veut en euros au cours du "
                                      "jour, que Facturier ne connaît pas : %(documents)s.")
                              % {"documents": ", ".join(foreign)})  # fmt: skip
        return _page(request, settings_form, period_form, status=400)
    lines = fec.fec_lines(seller, period, settings_form.instance.accounts())
    response = StreamingHttpResponse(fec.fec_chunks(lines), content_type="text/plain; charset=iso-8859-15")
    response["Content-Disposition"] = f'attachment; filename="{fec.file_name(seller, period)}"'
    return response


def _page(request: HttpRequest, form, period_form, *, status: int) -> HttpResponse:
    context = {"form": form, "period_form": period_form, "siren": fec.seller_siren(request.seller)}
    return render(request, "portal/settings/accounting.html", context, status=status)
