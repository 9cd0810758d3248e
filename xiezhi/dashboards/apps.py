from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    """Statistics pages over the other apps' obligations; no models of its own (DESIGN §3)."""

    name = "xiezhi.dashboards"
    label = "dashboards"
    verbose_name = "统计看板"

    def ready(self) -> None:
        from xiezhi.core import navigation

        navigation.register("协作联动统计", "dashboards:linkage", 35)
