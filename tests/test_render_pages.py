"""Small rendering rules of the pages: the account-creation histogram and a post's address on its platform."""

from datetime import UTC, datetime

from api.render.accounts import creation_histogram, histogram_svg
from api.render.links import account_url, post_url
from smearwatch.models import Post


def test_one_known_creation_date_is_one_narrow_bar_not_the_whole_chart():
    accounts = [{"created_at": "2020-04-15T04:44:00+00:00"}] + [{"created_at": None}] * 5
    histogram = creation_histogram(accounts)
    assert len(histogram["bins"]) == 30 and histogram["unknown"] == 5
    assert [b["count"] for b in histogram["bins"] if b["count"]] == [1]
    svg = histogram_svg(histogram)
    width = float(svg.split('class="bar-created"')[1].split('width="')[1].split('"')[0])
    assert width < 30  # of a 666-pixel plot
    assert "5 of 6 accounts without a creation date" in svg


def test_dates_years_apart_keep_their_order_and_ends():
    dates = ["2012-01-01T00:00:00+00:00", "2020-04-01T00:00:00+00:00", "2020-04-01T01:00:00+00:00"]
    bins = creation_histogram([{"created_at": d} for d in dates])["bins"]
    assert bins[0]["count"] == 1 and bins[-1]["count"] == 2 and sum(b["count"] for b in bins) == 3


def test_post_url_only_http_from_the_raw_payload_or_a_tweet_id():
    def post(**fields):
        return Post(platform=fields.pop("platform", "vk"), post_id=fields.pop("post_id", "1_2"), author_id="a",
                    created_at=datetime(2020, 4, 28, tzinfo=UTC), **fields)

    assert post_url(post(raw={"link": "https://example.kz/news/1"})) == "https://example.kz/news/1"
    assert post_url(post(raw={"url": "javascript:alert(1)"})) is None
    assert post_url(post()) is None
    assert post_url(post(platform="twitter", post_id="1255788968054620853")) == \
        "https://twitter.com/i/web/status/1255788968054620853"
    assert account_url("twitter", "a/b?c") == "/accounts/twitter/a%2Fb%3Fc"
