from django.urls import path

from . import views

app_name = "procurement"

urlpatterns = [
    path("tenders/", views.tender_list, name="tender_list"),
    path("tenders/export/", views.tender_export, name="tender_export"),
    path("tenders/new/", views.tender_create, name="tender_create"),
    path("tenders/<int:pk>/", views.tender_detail, name="tender_detail"),
    path("tenders/<int:pk>/bid/", views.bid_submit, name="bid_submit"),
    path("tenders/<int:pk>/score/", views.tender_score, name="tender_score"),
    path("tenders/<int:pk>/award/", views.tender_award, name="tender_award"),
    path("tenders/<int:pk>/<slug:action>/", views.tender_action, name="tender_action"),
    path("contracts/", views.contract_list, name="contract_list"),
    path("contracts/export/", views.contract_export, name="contract_export"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract_detail"),
    path("contracts/<int:pk>/publish/", views.contract_publish, name="contract_publish"),
    path("contracts/<int:pk>/amend/", views.contract_amend, name="contract_amend"),
    path("contracts/<int:pk>/milestones/", views.milestone_add, name="milestone_add"),
    path("contracts/<int:pk>/plan/", views.contract_solve, name="contract_solve"),
    path("milestones/", views.milestone_list, name="milestone_list"),
    path("milestones/export/", views.milestone_export, name="milestone_export"),
    path("milestones/<int:pk>/pay/", views.milestone_pay, name="milestone_pay"),
    path("compliance/", views.breach_list, name="breach_list"),
    path("compliance/export/", views.breach_export, name="breach_export"),
    path("cost/", views.cost_summary, name="cost_summary"),
    path("cost/export/", views.cost_export, name="cost_export"),
    path("awards/", views.award_list, name="award_list"),
    path("awards/export/", views.award_export, name="award_export"),
    path("awards/print/", views.award_pdf, name="award_pdf"),
    path("awards/formula/", views.award_formula, name="award_formula"),
    path("awards/compute/", views.award_compute, name="award_compute"),
    path("awards/confirm/", views.award_confirm, name="award_confirm"),
    path("awards/<int:pk>/", views.award_detail, name="award_detail"),
    path("planning-jobs/<int:pk>/", views.planning_job, name="planning_job"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/export/", views.plan_list_export, name="plan_list_export"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/export/", views.plan_export, name="plan_export"),
    path("plans/<int:pk>/replan/", views.plan_replan, name="plan_replan"),
    path("visits/<int:pk>/done/", views.visit_done, name="visit_done"),
]
