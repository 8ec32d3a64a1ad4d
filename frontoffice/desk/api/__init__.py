"""The desk API (/api/v1/desk/…): visits and visit types."""

from ninja import Router

from . import calendar, coverage, documents, handover, intake, money, queue, visits, waitlist

router = Router(tags=["Desk"])
router.add_router("", visits.router)
router.add_router("", intake.router)
router.add_router("", handover.router)
router.add_router("", documents.router)
router.add_router("", money.router)
router.add_router("", coverage.router)
router.add_router("", calendar.router)
router.add_router("", queue.router)
router.add_router("", waitlist.router)
