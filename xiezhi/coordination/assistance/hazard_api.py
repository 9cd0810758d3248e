"""/api/v1/hazards is mounted from here (one router per module in config.api.ROUTERS)."""

from xiezhi.coordination.assistance.api import hazard_router as router

__all__ = ["router"]
