from rest_framework.routers import DefaultRouter

from . import views

app_name = "registry-api"

router = DefaultRouter()
router.register("enterprises", views.EnterpriseViewSet)
router.register("providers", views.ProviderViewSet)
router.register("experts", views.ExpertViewSet)
router.register("member-units", views.MemberUnitViewSet)
router.register("regions", views.RegionViewSet)
router.register("industries", views.IndustryViewSet)
urlpatterns = router.urls
