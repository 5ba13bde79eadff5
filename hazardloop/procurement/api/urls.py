from rest_framework.routers import DefaultRouter

from . import views

app_name = "procurement-api"

router = DefaultRouter()
router.register("tenders", views.TenderViewSet)
router.register("bids", views.BidViewSet)
router.register("contracts", views.ContractViewSet)
router.register("milestones", views.MilestoneViewSet)
router.register("plans", views.PlanViewSet)
router.register("planning-jobs", views.PlanningJobViewSet)
router.register("breaches", views.BreachViewSet)
router.register("award-formulas", views.AwardFormulaViewSet)
router.register("awards", views.AwardViewSet)
urlpatterns = router.urls
