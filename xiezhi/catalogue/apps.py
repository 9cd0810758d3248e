from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "xiezhi.catalogue"
    label = "catalogue"
    verbose_name = "事项清单"

    def ready(self) -> None:
        from xiezhi.core import navigation

        navigation.register("事项清单", "catalogue:index", 40)
        navigation.register("管辖查询", "catalogue:jurisdiction", 41)
