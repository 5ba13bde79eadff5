from django.urls import path

from .views import contracts, money, plans, tenders

app_name = "procurement"

urlpatterns = [
    path("tenders/", tenders.tender_list, name="tender_list"),
    path("tenders/export/", tenders.tender_export, name="tender_export"),
    path("tenders/new/", tenders.tender_create, name="tender_create"),
    path("tenders/<int:pk>/", tenders.tender_detail, name="tender_detail"),
    path("tenders/<int:pk>/bid/", tenders.bid_submit, name="bid_submit"),
    path("tenders/<int:pk>/score/", tenders.tender_score, name="tender_score"),
    path("tenders/<int:pk>/award/", tenders.tender_award, name="tender_award"),
    path("tenders/<int:pk>/<slug:action>/", tenders.tender_action, name="tender_action"),
    path("contracts/", contracts.contract_list, name="contract_list"),
    path("contracts/export/", contracts.contract_export, name="contract_export"),
    path("contracts/<int:pk>/", contracts.contract_detail, name="contract_detail"),
    path("contracts/<int:pk>/publish/", contracts.contract_publish, name="contract_publish"),
    path("contracts/<int:pk>/amend/", contracts.contract_amend, name="contract_amend"),
    path("contracts/<int:pk>/milestones/", money.milestone_add, name="milestone_add"),
    path("contracts/<int:pk>/plan/", plans.contract_solve, name="contract_solve"),
    path("milestones/", money.milestone_list, name="milestone_list"),
    path("milestones/export/", money.milestone_export, name="milestone_export"),
    path("milestones/<int:pk>/pay/", money.milestone_pay, name="milestone_pay"),
    path("compliance/", contracts.breach_list, name="breach_list"),
    path("compliance/export/", contracts.breach_export, name="breach_export"),
    path("cost/", money.cost_summary, name="cost_summary"),
    path("cost/export/", money.cost_export, name="cost_export"),
    path("awards/", money.award_list, name="award_list"),
    path("awards/export/", money.award_export, name="award_export"),
    path("awards/print/", money.award_pdf, name="award_pdf"),
    path("awards/formula/", money.award_formula, name="award_formula"),
    path("awards/compute/", money.award_compute, name="award_compute"),
    path("awards/confirm/", money.award_confirm, name="award_confirm"),
    path("awards/<int:pk>/", money.award_detail, name="award_detail"),
    path("planning-jobs/<int:pk>/", plans.planning_job, name="planning_job"),
    path("plans/", plans.plan_list, name="plan_list"),
    path("plans/export/", plans.plan_list_export, name="plan_list_export"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/export/", plans.plan_export, name="plan_export"),
    path("plans/<int:pk>/replan/", plans.plan_replan, name="plan_replan"),
    path("visits/<int:pk>/done/", plans.visit_done, name="visit_done"),
]
