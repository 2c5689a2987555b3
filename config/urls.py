from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("facturier.api.urls")),
    path("outbox/", include("facturier.outbox.urls")),
    path("", include("facturier.portal.urls")),
]
