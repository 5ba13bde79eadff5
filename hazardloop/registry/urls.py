from django.urls import path

from . import views

app_name = "registry"

urlpatterns = [
    path("enterprises/", views.enterprise_list, name="enterprise_list"),
    path("enterprises/export/", views.enterprise_export, name="enterprise_export"),
    path("enterprises/import/", views.enterprise_import, name="enterprise_import"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise_detail"),
    path("providers/", views.provider_list, name="provider_list"),
    path("providers/<int:pk>/", views.provider_detail, name="provider_detail"),
    path("experts/", views.expert_list, name="expert_list"),
    path("experts/<int:pk>/", views.expert_detail, name="expert_detail"),
    path("member-units/", views.member_unit_list, name="member_unit_list"),
]
