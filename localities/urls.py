app_name = "localities"

urlpatterns = []
