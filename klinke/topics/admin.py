from django.contrib import admin

from klinke.topics.models import Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin[Topic]):
    list_display = ["slug", "name_en", "name_de", "kind", "parent"]
    list_filter = ["kind", "parent"]
    search_fields = ["slug", "name_en", "name_de"]
    prepopulated_fields = {"slug": ("name_en",)}
