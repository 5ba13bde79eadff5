from django.urls import path

from . import views

app_name = "inspections"

urlpatterns = [
    path("", views.inspection_list, name="list"),
    path("new/", views.inspection_new, name="new"),
    path("<int:pk>/", views.inspection_detail, name="detail"),
    path("<int:pk>/results/", views.inspection_results, name="results"),
    path("<int:pk>/findings/", views.finding_add, name="finding_add"),
    path("<int:pk>/findings/<int:finding_pk>/remove/", views.finding_remove, name="finding_remove"),
    path("<int:pk>/submit/", views.inspection_submit, name="submit"),
    path("<int:pk>/acknowledge/", views.inspection_acknowledge, name="acknowledge"),
    path("<int:pk>/report.pdf", views.inspection_report, name="report"),
    path("checklists/", views.checklist_list, name="checklist_list"),
    path("checklists/versions/<int:pk>/", views.checklist_detail, name="checklist_detail"),
    path("checklists/<int:template_pk>/revise/", views.checklist_revise, name="checklist_revise"),
    path("checklists/versions/<int:pk>/items/", views.checklist_item_save, name="checklist_item_save"),
    path(
        "checklists/versions/<int:pk>/items/<int:item_pk>/delete/",
        views.checklist_item_delete,
        name="checklist_item_delete",
    ),
    path("checklists/versions/<int:pk>/publish/", views.checklist_publish, name="checklist_publish"),
]
