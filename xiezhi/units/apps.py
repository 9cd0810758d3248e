from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "xiezhi.units"
    label = "units"
    verbose_name = "单位与人员"

    def ready(self) -> None:
        from xiezhi.core import navigation
        from xiezhi.core.actor import Actor
        from xiezhi.units.access import can_manage_directory, can_read

        def directory_user(actor: Actor) -> bool:
            # Business users read; the system administrator manages. The security administrator
            # reaches people through 人员管理 to grant roles.
            return actor.can_act_in_business or can_manage_directory(actor)

        navigation.register("单位管理", "units:unit_list", 50, directory_user)
        navigation.register("人员管理", "units:person_list", 51, can_read)
        navigation.register("执法证管理", "units:certificate_list", 52, directory_user)
        navigation.register("联络员", "units:liaisons", 53, can_read)
