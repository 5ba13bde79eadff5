from django.urls import path

from . import views, views_io

app_name = "registry"

urlpatterns = [
    path("enterprises/", views.enterprise_list, name="enterprise_list"),
    path("enterprises/new/", views.enterprise_create, name="enterprise_create"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise_detail"),
    path("enterprises/<int:pk>/edit/", views.enterprise_edit, name="enterprise_edit"),
    path("enterprises/export/", views_io.enterprise_export, name="enterprise_export"),
    path("enterprises/import/", views_io.enterprise_import, name="enterprise_import"),
    path("enterprises/import/template/", views_io.enterprise_template, name="enterprise_template"),
    path("imports/<int:pk>/", views_io.import_job_detail, name="import_job_detail"),
    path("providers/", views.provider_list, name="provider_list"),
    path("providers/<int:pk>/", views.provider_detail, name="provider_detail"),
    path("experts/", views.expert_list, name="expert_list"),
    path("experts/<int:pk>/", views.expert_detail, name="expert_detail"),
    path("experts/export/", views_io.expert_export, name="expert_export"),
    path("experts/import/", views_io.expert_import, name="expert_import"),
    path("experts/import/template/", views_io.expert_template, name="expert_template"),
    path("member-units/", views.member_unit_list, name="member_unit_list"),
]
