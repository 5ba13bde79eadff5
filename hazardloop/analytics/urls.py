from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/export.xlsx", views.statistics_xlsx, name="statistics_xlsx"),
    path("statistics/export.pdf", views.statistics_pdf, name="statistics_pdf"),
]
