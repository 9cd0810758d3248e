from django.urls import path

from xiezhi.units.views import certificates, people, units

app_name = "units"
urlpatterns = [
    path("", units.unit_list, name="unit_list"),
    path("new/", units.unit_create, name="unit_create"),
    path("<int:pk>/", units.unit_detail, name="unit_detail"),
    path("<int:pk>/edit/", units.unit_edit, name="unit_edit"),
    path("<int:pk>/deactivate/", units.unit_set_active, {"active": False}, name="unit_deactivate"),
    path("<int:pk>/activate/", units.unit_set_active, {"active": True}, name="unit_activate"),
    path("<int:pk>/sections/", units.section_create, name="section_create"),
    path("<int:pk>/sections/<int:section_id>/delete/", units.section_delete, name="section_delete"),
    path("subjects/", units.enforcement_subjects, name="subjects"),
    path("liaisons/", units.liaisons, name="liaisons"),
    path("people/", people.person_list, name="person_list"),
    path("people/new/", people.person_create, name="person_create"),
    path("people/<int:pk>/", people.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", people.person_edit, name="person_edit"),
    path(
        "people/<int:pk>/deactivate/", people.person_set_active, {"active": False}, name="person_deactivate"
    ),
    path("people/<int:pk>/activate/", people.person_set_active, {"active": True}, name="person_activate"),
    path("people/<int:pk>/phone/", people.person_reveal_phone, name="person_phone"),
    path("people/<int:pk>/roles/", people.role_grant, name="role_grant"),
    path("people/<int:pk>/roles/<str:role>/revoke/", people.role_revoke, name="role_revoke"),
    path("people/<int:pk>/account/", people.account_link, name="account_link"),
    path("people/<int:pk>/account/unlink/", people.account_unlink, name="account_unlink"),
    path("certificates/", certificates.certificate_list, name="certificate_list"),
    path("certificates/new/", certificates.certificate_create, name="certificate_create"),
    path("certificates/<int:pk>/edit/", certificates.certificate_edit, name="certificate_edit"),
    path("certificates/<int:pk>/status/", certificates.certificate_status, name="certificate_status"),
]
