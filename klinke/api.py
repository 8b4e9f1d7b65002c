"""The JSON API under /api/v1; each app contributes a router with its pages' permissions."""

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger

from klinke.accounts.api import router as account_router
from klinke.accounts.api_auth import TokenOrSession
from klinke.collectives.api import router as collectives_router
from klinke.contacts.api import router as contacts_router
from klinke.estimates.api import router as estimates_router
from klinke.exchange.api import router as exchange_router
from klinke.inquiries.api import router as inquiries_router
from klinke.knowledge.api import router as knowledge_router
from klinke.rates.api import router as rates_router
from klinke.supporters.api import router as supporters_router
from klinke.tenders.api import router as tenders_router
from klinke.topics.api import router as topics_router
from klinke.vouches.api import router as vouches_router
from klinke.workbench.api import router as workbench_router
from klinke.workshops.api import router as workshops_router

api = NinjaAPI(
    title="klinke API",
    version="1.0.0",
    description="The network of tech collectives and supporters, and its support exchange. "
    "Authenticate with a personal API token (Authorization: Bearer klk_…) to see members-only "
    "data and to write; browser sessions work too and need the X-CSRFToken header to write.",
    auth=TokenOrSession(),
    urls_namespace="api-1.0.0",
    # Swagger UI comes from klinke's own static files ("ninja" is an installed app); its
    # validator badge would otherwise send the schema's address to validator.swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
)
api.add_router("/account", account_router)
api.add_router("/topics", topics_router)
api.add_router("/collectives", collectives_router)
api.add_router("/supporters", supporters_router)
api.add_router("/", exchange_router)
api.add_router("/workshops", workshops_router)
api.add_router("/knowledge", knowledge_router)
api.add_router("/workbench", contacts_router)
api.add_router("/workbench", workbench_router)
api.add_router("/tenders", tenders_router)
api.add_router("/rates", rates_router)
api.add_router("/estimates", estimates_router)
api.add_router("/inquiries", inquiries_router)
api.add_router("/vouches", vouches_router)


@api.exception_handler(OverflowError)
def number_out_of_range(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    """A query or path number beyond what the database stores (SQLite refuses such a number
    in a lookup where PostgreSQL finds nothing): refused as input, not a server error.
    Numbers in request bodies are bounded by the input schema before this can happen."""
    return api.create_response(
        request,
        {"detail": [{"type": "value_error", "loc": ["query"], "msg": "a number is out of range"}]},
        status=422,
    )
