from django.urls import path

from . import views

app_name = "enforcement"

urlpatterns = [
    path("", views.action_list, name="list"),
    path("export/", views.action_export, name="export"),
    path("new/", views.action_create, name="create"),
    path("<int:pk>/", views.action_detail, name="detail"),
    path("<int:pk>/fulfil/", views.action_fulfil, name="fulfil"),
    path("<int:pk>/revoke/", views.action_revoke, name="revoke"),
    path("<int:pk>/hazards/<int:hazard_pk>/conclude/", views.action_conclude, name="conclude"),
]
