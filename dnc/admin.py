from django.contrib import admin

from dnc.models import DncNumber


@admin.register(DncNumber)
class DncNumberAdmin(admin.ModelAdmin):
    """Read-only view for superusers; the dashboard is where the list changes."""

    list_display = ["phone_number", "source", "added_by", "added_at"]
    list_filter = ["source"]
    search_fields = ["phone_number"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
