from django.urls import path

from livrables import views

app_name = "livrables"

urlpatterns = [
    path("livrables/<int:pk>/telecharger/", views.telecharger, name="telecharger"),
    path("prestations/<int:pk>/livrables/", views.transmettre, name="transmettre"),
]
