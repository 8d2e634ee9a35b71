"""The routers: the JSON API under /api/v1, one module per resource, and the review pages (`routes/pages/`), one
module per page. `create_app` includes them in this order."""

from api.routes import (
    campaigns,
    clusters,
    decisions,
    exports,
    feeds,
    health,
    jobs,
    models,
    networks,
    search,
    uploads,
    users,
)
from api.routes.pages import admin, cluster, login, queue
from api.routes.pages import campaigns as campaigns_page
from api.routes.pages import decisions as decisions_page
from api.routes.pages import models as models_page
from api.routes.pages import search as search_page
from api.routes.pages import uploads as uploads_page

API_ROUTERS = tuple(module.router for module in (health, users, campaigns, clusters, decisions, search, uploads,
                                                  models, jobs, feeds, exports, networks))
PAGE_ROUTERS = tuple(module.router for module in (login, campaigns_page, queue, cluster, decisions_page, search_page,
                                                   uploads_page, models_page, admin))
ROUTERS = API_ROUTERS + PAGE_ROUTERS
