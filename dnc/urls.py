from django.urls import path

from dnc import api, import_views, views

app_name = "dnc"

urlpatterns = [
    path("", views.number_list, name="list"),
    path("add/", views.number_add, name="add"),
    path("api/check/", api.check, name="api-check"),
    path("export.csv", import_views.export_csv, name="export"),
    path("import/", import_views.import_list, name="import"),
    path("import/upload/", import_views.import_upload, name="import-upload"),
    path("import/<int:pk>/", import_views.import_detail, name="import-detail"),
    path("import/<int:pk>/rows.csv", import_views.import_rows_csv, name="import-rows"),
    path("<str:phone_number>/remove/", views.number_remove, name="remove"),
]
