"""The desk API (/api/v1/desk/…): visits and visit types."""

from ninja import Router

from . import coverage, visits

router = Router(tags=["Desk"])
router.add_router("", visits.router)
router.add_router("", coverage.router)
