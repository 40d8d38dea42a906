from django.urls import path

from territoires import views

app_name = "territoires"

urlpatterns = [
    path("communes/", views.communes, name="communes"),
]
