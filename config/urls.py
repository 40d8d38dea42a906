from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.views import sante

admin.site.site_header = "Administration de la plateforme Prestations"
admin.site.site_title = "Prestations"
admin.site.index_title = "Administration"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="schema", http_method_names=["get", "head"]),
        name="swagger-ui",
    ),
    path("api/", include("config.api_urls")),
    path("sante/", login_not_required(sante), name="sante"),
    path("beneficiaires/", include("beneficiaires.urls")),
    path("territoires/", include("territoires.urls")),
    path("", include("livrables.urls")),
    path("", include("prestations.urls")),
    path("", include("comptes.urls")),
]
