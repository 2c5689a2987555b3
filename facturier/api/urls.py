from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from facturier.api import views

app_name = "api"


class PublicSchemaView(SpectacularAPIView):
    authentication_classes: list = []
    permission_classes: list = []


urlpatterns = [
    path("openapi.json", PublicSchemaView.as_view(), {"format": "json"}, name="schema"),
    path("invoices/", views.InvoiceListView.as_view(), name="invoice_list"),
    path("invoices/archive.zip", views.InvoiceArchiveView.as_view(), name="invoice_archive"),
    path("invoices/<int:pk>/", views.InvoiceDetailView.as_view(), name="invoice_detail"),
    path("invoices/<int:pk>/pdf", views.InvoicePdfView.as_view(), name="invoice_pdf"),
    path("sync/", views.SyncView.as_view(), name="sync"),
    path("sync-runs/", views.SyncRunListView.as_view(), name="sync_run_list"),
    path("sync-runs/<int:pk>/", views.SyncRunDetailView.as_view(), name="sync_run_detail"),
]
