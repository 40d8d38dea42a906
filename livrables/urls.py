from django.urls import path

from livrables import views

app_name = "livrables"

urlpatterns = [
    path("<int:pk>/telecharger/", views.telecharger, name="telecharger"),
]
