"""Several reviewers: assigning a campaign, comments, the blind second-opinion list, and Cohen's kappa between
reviewers on the models page and in the API."""

import api_client
import pytest
from api_client import bearer

from api.crud.reviewers import cohen_kappa

client, world = api_client.client, api_client.world  # fixtures


def test_cohen_kappa_by_hand():
    assert cohen_kappa([]) is None
    assert cohen_kappa([("smear", "smear"), ("organic", "organic")]) == 1.0
    # 4 pairs, 2 agree: observed 0.5; chance (2*3 + 2*1)/16 = 0.5 -> kappa 0
    pairs = [("smear", "smear"), ("smear", "organic"), ("organic", "smear"), ("organic", "smear")]
    assert cohen_kappa(pairs) == pytest.approx((0.25 - 0.5) / 0.5)
    pairs = [("smear", "smear")] * 6 + [("organic", "organic")] * 3 + [("smear", "organic")]
    observed, chance = 0.9, (7 * 6 + 3 * 4) / 100
    assert cohen_kappa(pairs) == pytest.approx((observed - chance) / (1 - chance), abs=1e-4)


def test_assign_comment_second_opinion_and_agreement(client, world):
    rita, adam = bearer(world["reviewer"]), bearer(world["admin"])
    campaigns = client.get("/api/v1/campaigns", headers=rita, params={"flagged": "true"}).json()["data"]
    first, second = campaigns[0]["id"], campaigns[1]["id"]

    assigned = client.post(f"/api/v1/campaigns/{first}/assignment", headers=adam, json={"username": "rita"})
    assert assigned.status_code == 200 and assigned.json()["assigned_to"] is not None
    mine = client.get("/api/v1/campaigns", headers=rita, params={"mine": "true"}).json()
    assert [c["id"] for c in mine["data"]] == [first]
    assert client.get("/api/v1/campaigns", headers=adam, params={"mine": "true"}).json()["count"] == 0
    assert client.post(f"/api/v1/campaigns/{first}/assignment", headers=adam,
                       json={"username": "nobody"}).status_code == 422

    posted = client.post(f"/api/v1/campaigns/{first}/comments", headers=rita, json={"text": "same troll accounts as May"})
    assert posted.status_code == 201 and posted.json()["user"] == "rita"
    comments = client.get(f"/api/v1/campaigns/{first}/comments", headers=adam).json()
    assert comments["count"] == 1 and comments["data"][0]["text"] == "same troll accounts as May"
    assert client.post(f"/api/v1/campaigns/{first}/comments", headers=rita, json={"text": ""}).status_code == 422

    assert client.get("/api/v1/reviewers/agreement", headers=rita).json()["pairs"] == 0
    for campaign in (first, second):
        client.post(f"/api/v1/campaigns/{campaign}/decisions", headers=rita, json={"answer": "smear"})
    second_opinion = client.get("/api/v1/campaigns", headers=adam, params={"second_opinion": "true"}).json()
    assert sorted(c["id"] for c in second_opinion["data"]) == sorted([first, second])
    assert client.get("/api/v1/campaigns", headers=rita, params={"second_opinion": "true"}).json()["count"] == 0
    client.post(f"/api/v1/campaigns/{first}/decisions", headers=adam, json={"answer": "smear"})
    client.post(f"/api/v1/campaigns/{second}/decisions", headers=adam, json={"answer": "organic"})
    agreement = client.get("/api/v1/reviewers/agreement", headers=rita).json()
    assert agreement == {"campaigns": 2, "pairs": 2, "observed": 0.5, "kappa": 0.0}
    assert client.get("/api/v1/campaigns", headers=adam, params={"second_opinion": "true"}).json()["count"] == 0

    assert client.login("rita", world["reviewer"].password).status_code == 303
    models = client.get("/models").text
    assert "Cohen&#39;s kappa <strong>0.00</strong>" in models or "Cohen's kappa <strong>0.00</strong>" in models
    page = client.get(f"/campaigns/{first}").text
    assert "same troll accounts as May" in page and 'selected>rita' in page
    assert client.get("/?order=second").status_code == 200 and client.get("/?order=mine").status_code == 200
