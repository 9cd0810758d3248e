from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "xiezhi.deadlines"
    label = "deadlines"
    verbose_name = "时限"

    def ready(self) -> None:
        from xiezhi.core import navigation
        from xiezhi.deadlines.workcalendar import database_calendar
        from xiezhi.rulebook.workdays import register_default_provider

        # WorkCalendar.default() everywhere (services, CLI, API) = bundled notices + DB overrides.
        register_default_provider(database_calendar)
        navigation.register("我的待办", "deadlines:my_tasks", 10)
        navigation.register("工作日历", "deadlines:calendar", 80, lambda a: a.is_authenticated)
