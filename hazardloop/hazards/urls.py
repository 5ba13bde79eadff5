from django.urls import path

from . import views

app_name = "hazards"

urlpatterns = [
    path("", views.hazard_list, name="list"),
    path("<int:pk>/", views.hazard_detail, name="detail"),
    path("<int:pk>/act/<slug:action>/", views.hazard_act, name="act"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("notices/<int:pk>/pdf/", views.notice_pdf, name="notice_pdf"),
    path("listed/", views.listed_hazards, name="listed"),
    path("listings/<int:pk>/pdf/", views.listing_pdf, name="listing_pdf"),
    path("acceptances/<int:pk>/pdf/", views.acceptance_pdf, name="acceptance_pdf"),
]
