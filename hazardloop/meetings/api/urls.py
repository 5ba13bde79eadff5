from rest_framework.routers import DefaultRouter

from . import views

app_name = "meetings-api"

router = DefaultRouter()
router.register("meetings", views.MeetingViewSet)
urlpatterns = router.urls
