from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from facturier.portal.views import (
    account,
    accounting,
    auth,
    dashboard,
    exports,
    invoices,
    onboarding,
    orders,
    rates,
    reform,
)

app_name = "portal"

password_reset = [
    path("mot-de-passe/", auth.ThrottledPasswordResetView.as_view(
        template_name="portal/auth/password_reset.html",
        email_template_name="portal/email/password_reset.txt",
        subject_template_name="portal/email/password_reset_subject.txt",
        success_url=reverse_lazy("portal:password_reset_done"),
    ), name="password_reset"),
    path("mot-de-passe/envoye/", auth_views.PasswordResetDoneView.as_view(
        template_name="portal/auth/password_reset_done.html"), name="password_reset_done"),
    path("mot-de-passe/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        template_name="portal/auth/password_reset_confirm.html",
        success_url=reverse_lazy("portal:password_reset_complete"),
    ), name="password_reset_confirm"),
    path("mot-de-passe/termine/", auth_views.PasswordResetCompleteView.as_view(
        template_name="portal/auth/password_reset_complete.html"), name="password_reset_complete"),
]  # fmt: skip

urlpatterns = [
    path("connexion/", auth.login_view, name="login"),
    path("connexion/code/", auth.login_otp_view, name="login_otp"),
    path("deconnexion/", auth.logout_view, name="logout"),
    path("inscription/", auth.signup_view, name="signup"),
    path("inscription/confirmer/<str:token>/", auth.verify_email_view, name="verify_email"),
    path("langue/", account.language_view, name="set_language"),
    path("conditions/", auth.terms_view, name="terms"),
    *password_reset,
    path("inscription/entreprise/", onboarding.company_view, name="onboarding_company"),
    path("inscription/tva/", onboarding.vat_view, name="onboarding_vat"),
    path("inscription/mandat/", onboarding.mandate_view, name="onboarding_mandate"),
    path("reglages/conditions/", onboarding.terms_acceptance_view, name="terms_acceptance"),
    path("marketplace/", onboarding.connection_view, name="connection"),
    path("marketplace/<int:pk>/", onboarding.connection_edit_view, name="connection_edit"),
    path("marketplace/<int:pk>/tester/", onboarding.test_connection_view, name="connection_test"),
    path("", dashboard.dashboard_view, name="dashboard"),
    path("commandes/", orders.orders_view, name="orders"),
    path("commandes/<int:pk>/", orders.order_detail_view, name="order_detail"),
    path("synchronisations/", dashboard.sync_runs_view, name="sync_runs"),
    path("synchronisations/lancer/", dashboard.sync_now_view, name="sync_now"),
    path("synchronisations/etat.json", dashboard.sync_status_view, name="sync_status"),
    path("factures/", invoices.invoice_list_view, name="invoice_list"),
    path("factures/archive.zip", exports.archive_view, name="invoice_archive"),
    path("factures/selection.zip", exports.selection_archive_view, name="invoice_selection_archive"),
    path("factures/lignes.csv", exports.lines_csv_view, name="invoice_lines_csv"),
    path("factures/<int:pk>/", invoices.invoice_detail_view, name="invoice_detail"),
    path("factures/<int:pk>/pdf/", invoices.invoice_pdf_view, name="invoice_pdf"),
    path("factures/<int:pk>/telecharger/", invoices.invoice_download_view, name="invoice_download"),
    path("factures/<int:pk>/renvoyer/", invoices.invoice_resend_view, name="invoice_resend"),
    path("mes-factures-facturier/", account.fee_invoices_view, name="fee_invoices"),
    path("mes-factures-facturier/<int:pk>/pdf", account.fee_invoice_download_view, name="fee_invoice_download"),
    path("mes-factures-facturier/<int:pk>/voir", account.fee_invoice_view, name="fee_invoice_view"),
    path("reforme/", reform.reform_view, name="reform"),
    path("reforme/rapports/<int:pk>/xml", reform.ereport_download_view, name="ereport_download"),
    path("reglages/", account.settings_view, name="settings"),
    path("reglages/numerotation/", account.numbering_view, name="numbering"),
    path("reglages/taux-sku/", account.sku_rates_view, name="sku_rates"),
    path("reglages/taux-appliques/", rates.rates_used_view, name="rates_used"),
    path("reglages/comptabilite/", accounting.accounting_view, name="accounting"),
    path("reglages/comptabilite/fec.txt", accounting.fec_export_view, name="fec_export"),
    path("reglages/api/", account.api_tokens_view, name="api_tokens"),
    path("reglages/api/<int:pk>/revoquer/", account.api_token_revoke_view, name="api_token_revoke"),
    path("reglages/double-authentification/", account.two_factor_view, name="two_factor"),
    path("reglages/double-authentification/desactiver/", account.two_factor_disable_view, name="two_factor_disable"),
    path("compte/desinscription/", account.unsubscribe_view, name="unsubscribe"),
    path("compte/export.zip", exports.full_export_view, name="full_export"),
]
