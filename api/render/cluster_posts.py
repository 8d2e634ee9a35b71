"""The paged posts section of a cluster page, rendered on each request (the kept evidence section has no posts)."""

from sqlmodel import Session

from api.crud import cluster_posts
from api.render.posts import group_by_pairs, group_page
from smearwatch.models import Cluster

GROUPS_PER_PAGE = 50
MEMBERS_SHOWN = 100  # of a group, behind its toggle


def posts_section(session: Session, *, cluster: Cluster, page: int) -> dict:
    members = cluster_posts.member_posts(session, cluster_id=cluster.id)
    groups = group_by_pairs(members, cluster_posts.near_duplicate_pairs(session, cluster_id=cluster.id))
    pages = max(1, -(-len(groups) // GROUPS_PER_PAGE))
    page = min(page, pages)
    repeated = [len(group) for group in groups if len(group) > 1]  # "28 near-identical posts in 1 group"
    return {"cluster_id": cluster.id, "count": cluster.n_posts or len(members), "grouped": len(members),
            "groups_total": len(groups), "near_groups": len(repeated), "near_posts": sum(repeated),
            "page": page, "pages": pages,
            "groups": group_page(groups, page=page, per_page=GROUPS_PER_PAGE, members_shown=MEMBERS_SHOWN)}
