from django.urls import path

from xiezhi.catalogue.views import entrustments, imports, jurisdiction, matters, versions

app_name = "catalogue"
urlpatterns = [
    path("", versions.index, name="index"),
    path("versions/<int:pk>/", versions.version_detail, name="version_detail"),
    path("versions/<int:pk>/edit/", versions.version_edit, name="version_edit"),
    path("versions/<int:pk>/publish/", versions.version_publish, name="version_publish"),
    path("versions/<int:pk>/discard/", versions.version_discard, name="version_discard"),
    path("versions/<int:pk>/export.<str:fmt>", versions.version_export, name="version_export"),
    path("versions/<int:pk>/add-matter/", versions.version_add_matter, name="version_add_matter"),
    path("versions/<int:pk>/matters/<int:matter_id>/", versions.version_matter, name="version_matter"),
    path("diff/", versions.version_diff, name="version_diff"),
    path("matters/", matters.matter_list, name="matters"),
    path("matters/new/", matters.matter_new, name="matter_new"),
    path("matters/search", matters.matter_search, name="matter_search"),
    path("matters/<int:pk>/", matters.matter_detail, name="matter_detail"),
    path("entrustments/", entrustments.entrustment_list, name="entrustments"),
    path("entrustments/new/", entrustments.entrustment_new, name="entrustment_new"),
    path("entrustments/<int:pk>/", entrustments.entrustment_detail, name="entrustment_detail"),
    path("entrustments/<int:pk>/delete/", entrustments.entrustment_delete, name="entrustment_delete"),
    path("entrustments/<int:pk>/docx", entrustments.entrustment_docx_view, name="entrustment_docx"),
    path("imports/new/", imports.import_new, name="import_new"),
    path("imports/<int:pk>/", imports.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress", imports.import_progress, name="import_progress"),
    path("jurisdiction/", jurisdiction.jurisdiction, name="jurisdiction"),
    path("subjects/", jurisdiction.subjects, name="subjects"),
    path("subjects/publish/", jurisdiction.subjects_publish, name="subjects_publish"),
]
