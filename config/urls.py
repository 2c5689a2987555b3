from django.contrib import admin
from django.urls import include, path

from facturier.ops.health import healthz
from facturier.ops.metrics import metrics

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("facturier.api.urls")),
    path("outbox/", include("facturier.outbox.urls")),
    path("", include("facturier.portal.urls")),
]
