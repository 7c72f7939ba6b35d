"""`/api/v2/admin/...`: setting the organisation up (`admin:support`)."""

from fastapi import APIRouter

from supportdesk.api.v2.admin import keys, organisation, people, webhooks

router = APIRouter()
router.include_router(people.router)
router.include_router(organisation.router)
router.include_router(keys.router)
router.include_router(webhooks.router)

__all__ = ["router"]
