from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from commun import courriels_dev
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

if settings.DEBUG:  # development only: the e-mails written under var/emails/ (commun.courriels_dev)
    urlpatterns += [
        path("dev/emails/", login_not_required(courriels_dev.liste), name="courriels_dev"),
        re_path(
            r"^dev/emails/(?P<nom>[0-9a-f-]+\.eml)/$", login_not_required(courriels_dev.detail), name="courriel_dev"
        ),
    ]
