from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("export/", views.meeting_export, name="export"),
    path("new/", views.meeting_create, name="create"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/pack/build/", views.build_pack, name="build_pack"),
    path("<int:pk>/pack.pdf", views.pack_pdf, name="pack_pdf"),
    path("<int:pk>/pack.xlsx", views.pack_xlsx, name="pack_xlsx"),
    path("<int:pk>/attendance/", views.record_attendance, name="attendance"),
    path("<int:pk>/report/", views.submit_report, name="report"),
    path("<int:pk>/minutes/", views.record_minutes, name="minutes"),
    path("<int:pk>/minutes/approve/", views.approve_minutes, name="approve_minutes"),
    path("<int:pk>/decisions/", views.record_decision, name="decision"),
]
