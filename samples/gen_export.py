"""Native-format exporters. Every writer streams: `add(post)` per post, `bad(kind)` to plant a
malformed record, `close()` returning what a parser should find (for EXPECTED.json).

Ids and authors follow docs/formats.md, so each export normalizes to the ids and author ids of
samples/world/posts.jsonl. Records are written in time order (wall.get and API search really
return newest first; parsers must not depend on order).
"""

import csv
import gzip
import io
import json
import os
import re
import time
from xml.sax.saxutils import escape

import gen_world as W

TCO_RE = W.TCO_RE
CLIENTS = ("Twitter for Android", "Twitter for iPhone", "Twitter Web App", "TweetDeck")
RETRIEVED = "2020-05-11T00:00:00+00:00"  # fixed, never the wall clock (byte-identical output)


def dumps(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def open_out(path):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    if path.endswith(".gz"):
        return io.TextIOWrapper(gzip.GzipFile(path, "wb", compresslevel=3, mtime=0), encoding="utf-8", newline="")
    return open(path, "w", encoding="utf-8", newline="")


def counts(p, *names):
    """Deterministic engagement numbers derived from the post (no rng state needed)."""
    base = int(W.short_hash(p["id"], n=4), 36) if p.get("id") else 0
    f = max(1, p["acc"]["followers"] // 50)
    return [(base >> (3 * i)) % (f + 3) for i, _ in enumerate(names)]


class Writer:
    fmt, platform = "", ""

    def __init__(self, path, name):
        self.path, self.name = path, name
        self.out = open_out(path)
        self.records = 0
        self.posts = 0
        self.rejected, self.skipped, self.notes = [], [], {}

    def close(self):
        self.finish()
        self.out.close()
        return {"format": self.fmt, "platform": self.platform, "records": self.records, "posts": self.posts,
                "rejected": self.rejected, "skipped": self.skipped, **self.notes}

    def finish(self):
        pass

    def reject(self, line, reason):
        self.rejected.append({"line": line, "reason": reason})


# --- normalized JSONL ------------------------------------------------------------------------------

class JsonlWriter(Writer):
    fmt = "jsonl"

    def __init__(self, path, name, extra=None):
        super().__init__(path, name)
        self.extra = extra

    def add(self, p, norm=None):
        rec = norm or W.normalized(p)
        if self.extra:
            rec = {**rec, **self.extra(p)}
        self.out.write(dumps(rec) + "\n")
        self.records += 1
        self.posts += 1
        self.platform = "mixed"

    def bad(self, kind):
        self.records += 1
        if kind == "json":
            self.out.write('{"id": "broken", "platform": "twitter", "text": "unterminated\n')
        elif kind == "missing":
            self.out.write(dumps({"id": "no-author-1", "platform": "vk", "text": "запись без автора",
                                  "created_at": "2020-04-29T12:00:00+06:00"}) + "\n")
        else:
            self.out.write(dumps({"id": "bad-time-1", "platform": "telegram", "author_id": "user1", "text": "x",
                                  "created_at": "2020-04-31T25:61:00+06:00"}) + "\n")
        self.reject(self.records, kind)


# --- twitter (twarc2 / API v2) -----------------------------------------------------------------------

def tw_time(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(ts))


def tw_user(acc):
    return {"id": acc["aid"], "name": acc["name"], "username": acc["handle"], "created_at": tw_time(acc["created"]),
            "protected": False, "verified": acc["role"] in ("celebrity", "outlet", "news_outlet", "state_outlet"),
            "public_metrics": {"followers_count": acc["followers"], "following_count": acc["following"],
                               "tweet_count": acc["statuses"], "listed_count": acc["followers"] // 200}}


def tw_entities(p):
    text, ent = p["text"], {}
    urls = []
    for m, url in zip(TCO_RE.finditer(text), p["urls"], strict=False):
        urls.append({"start": m.start(), "end": m.end(), "url": m.group(), "expanded_url": url,
                     "display_url": url.split("://", 1)[1][:26] + ("…" if len(url) > 34 else "")})
    if urls:
        ent["urls"] = urls
    tags = []
    for tag in W.post_hashtags(p):
        i = text.find("#" + tag)
        tags.append({"start": i, "end": i + len(tag) + 1, "tag": tag})
    if tags:
        ent["hashtags"] = tags
    mentions = []
    ref = p["repost"] or p["reply"]
    if ref is not None and text.startswith(("RT @", "@")):
        h = ref["acc"]["handle"]
        i = text.find("@" + h)
        mentions.append({"start": i, "end": i + len(h) + 1, "username": h, "id": ref["acc"]["aid"]})
    if mentions:
        ent["mentions"] = mentions
    return ent


def tw_tweet(p):
    acc = p["acc"]
    rt, lk, rp, qt = counts(p, "rt", "like", "reply", "quote")
    t = {"id": p["id"], "text": p["text"], "author_id": acc["aid"], "created_at": tw_time(p["ts"]), "lang": p["lang"],
         "conversation_id": conversation(p),
         "source": CLIENTS[int(acc["aid"][-1]) % len(CLIENTS)],
         "public_metrics": {"retweet_count": rt, "reply_count": rp, "like_count": lk, "quote_count": qt % 3}}
    if p["repost"] is not None:
        t["referenced_tweets"] = [{"type": "retweeted", "id": p["repost"]["id"]}]
        t["public_metrics"]["like_count"] = 0
    elif p["reply"] is not None:
        t["referenced_tweets"] = [{"type": "replied_to", "id": p["reply"]["id"]}]
        t["in_reply_to_user_id"] = p["reply"]["acc"]["aid"]
    ent = tw_entities(p)
    if ent:
        t["entities"] = ent
    return t


def conversation(p):
    while p["reply"] is not None:
        p = p["reply"]
    return p["id"]


def twarc_meta(url):
    return {"url": url, "version": "2.12.0", "retrieved_at": RETRIEVED}


SEARCH_URL = "https://api.twitter.com/2/tweets/search/all"


class TwarcPagesWriter(Writer):
    """twarc2 search output: one API response page per line."""
    fmt, platform = "twarc2", "twitter"

    def __init__(self, path, name, page_size=100):
        super().__init__(path, name)
        self.page_size = page_size
        self.page, self.page_bad = [], []
        self.token = 0

    def add(self, p):
        self.page.append(p)
        self.posts += 1
        if len(self.page) >= self.page_size:
            self.flush()

    def bad(self, kind):
        if kind == "json":
            self.flush()
            self.records += 1
            self.out.write('{"data":[{"id":"1255000000000000000","text":"обрыв стр\n')
            self.reject(self.records, "json")
        else:
            self.page_bad.append(kind)

    def flush(self):
        if not self.page and not self.page_bad:
            return
        data, users, inc_tweets = [], {}, {}
        for p in self.page:
            data.append(tw_tweet(p))
            users[p["acc"]["aid"]] = p["acc"]
            ref = p["repost"] or p["reply"]
            if ref is not None:
                inc_tweets[ref["id"]] = ref
                users[ref["acc"]["aid"]] = ref["acc"]
        self.records += 1
        for kind in self.page_bad:
            data.append(bad_tweet(kind, self.records))
            self.reject(self.records, kind)
        ids = [int(t["id"]) for t in data if t.get("id", "").isdigit()]
        page = {"data": data,
                "includes": {"users": [tw_user(users[k]) for k in sorted(users)],
                             "tweets": [tw_tweet(inc_tweets[k]) for k in sorted(inc_tweets)]},
                "meta": {"newest_id": str(max(ids)), "oldest_id": str(min(ids)), "result_count": len(data),
                         "next_token": f"b26v89c19zqg8o3fo{self.token:07d}"},
                "__twarc": twarc_meta(SEARCH_URL)}
        self.token += 1
        self.out.write(dumps(page) + "\n")
        self.page, self.page_bad = [], []

    def finish(self):
        self.flush()


def bad_tweet(kind, salt):
    t = {"id": f"12550{salt:014d}", "text": "битая запись", "author_id": "1234567890",
         "created_at": "2020-04-29T06:00:00.000Z", "lang": "ru"}
    if kind == "missing":
        del t["author_id"]
    else:
        t["created_at"] = "2020-04-31T25:00:00.000Z"
    return t


class TwarcFlatWriter(Writer):
    """twarc2 flattened lines: one tweet per line, expansions inlined (author, referenced tweets)."""
    fmt, platform = "twarc2", "twitter"

    def add(self, p):
        t = tw_tweet(p)
        t["author"] = tw_user(p["acc"])
        if "referenced_tweets" in t:
            ref = p["repost"] or p["reply"]
            rt = tw_tweet(ref)
            rt["author"] = tw_user(ref["acc"])
            t["referenced_tweets"][0]["tweet"] = rt
            if p["reply"] is not None:
                t["in_reply_to_user"] = tw_user(p["reply"]["acc"])
        t["__twarc"] = twarc_meta(SEARCH_URL)
        self.out.write(dumps(t) + "\n")
        self.records += 1
        self.posts += 1
        if p["text"].endswith("…") and p["repost"] is not None and "truncated_retweet" not in self.notes:
            self.notes["truncated_retweet"] = {"line": self.records, "id": p["id"]}

    def bad(self, kind):
        self.records += 1
        if kind == "json":
            self.out.write('{"id":"1255100000000000000","text":"RT @x: обрыв\n')
        else:
            t = bad_tweet(kind, self.records)
            if kind == "missing":
                t["author_id"] = "1234567890"
                del t["id"]
            self.out.write(dumps(t) + "\n")
        self.reject(self.records, kind)


# --- CSV based formats --------------------------------------------------------------------------------

class CsvWriter(Writer):
    columns = ()

    def __init__(self, path, name):
        super().__init__(path, name)
        self.line = 1
        self.buf = io.StringIO()
        self.csv = csv.writer(self.buf, lineterminator="\n")
        self.write_row(self.columns)

    def write_row(self, row):
        self.buf.seek(0)
        self.buf.truncate()
        self.csv.writerow(row)
        s = self.buf.getvalue()
        self.out.write(s)
        start = self.line
        self.line += s.count("\n")
        return start

    def add(self, p):
        self.write_row(self.row(p))
        self.records += 1
        self.posts += 1
        self.last = p

    def bad(self, kind):
        row = self.row(self.last)
        row[self.id_col] = self.bad_id.format(n=self.records + 1)  # never a real post's id
        if kind == "quote":  # an opening quote that never closes: the record runs to end of file
            self.out.write(",".join(f'"{c}"' if i != self.quote_col else f'"{c} оборвано' for i, c in enumerate(
                str(x).replace('"', "").replace("\n", " ") for x in row)) + "\n")
            start, self.line = self.line, self.line + 1
        else:
            col = self.missing_col if kind == "missing" else self.time_col
            row[col] = "" if kind == "missing" else "31/04/2020 25:61"
            start = self.write_row(row)
        self.records += 1
        self.reject(start, kind)


class IoArchiveWriter(CsvWriter):
    """Twitter information-operations archive (unhashed variant: user ids are kept)."""
    fmt, platform = "ioarchive", "twitter"
    columns = ("tweetid", "userid", "user_display_name", "user_screen_name", "user_reported_location",
               "user_profile_description", "user_profile_url", "follower_count", "following_count",
               "account_creation_date", "account_language", "tweet_language", "tweet_text", "tweet_time",
               "tweet_client_name", "in_reply_to_userid", "in_reply_to_tweetid", "quoted_tweet_tweetid", "is_retweet",
               "retweet_userid", "retweet_tweetid", "latitude", "longitude", "quote_count", "reply_count",
               "like_count", "retweet_count", "hashtags", "urls", "user_mentions", "poll_choices")
    missing_col, time_col, quote_col, id_col = 1, 13, 12, 0
    bad_id = "1255999{n:012d}"

    def __init__(self, path, name, twin_path):
        super().__init__(path, name)
        self.twin = open_out(twin_path)

    def row(self, p):
        acc = p["acc"]
        rt, lk, rp, qt = counts(p, "rt", "like", "reply", "quote")
        ment = [p["reply"]["acc"]["aid"]] if p["reply"] is not None else ([p["repost"]["acc"]["aid"]] if p["repost"] else [])
        return [p["id"], acc["aid"], acc["name"], acc["handle"], "Алматы", "", "", acc["followers"], acc["following"],
                time.strftime("%Y-%m-%d", time.gmtime(acc["created"])), "ru", p["lang"], p["text"],
                time.strftime("%Y-%m-%d %H:%M", time.gmtime(p["ts"])), CLIENTS[int(acc["aid"][-1]) % len(CLIENTS)],
                p["reply"]["acc"]["aid"] if p["reply"] is not None else "", p["reply"]["id"] if p["reply"] is not None else "",
                "", "True" if p["repost"] is not None else "False",
                p["repost"]["acc"]["aid"] if p["repost"] is not None else "", p["repost"]["id"] if p["repost"] is not None else "",
                "absent", "absent", qt % 3, rp, lk, rt, "[" + ", ".join(W.post_hashtags(p)) + "]",
                "[" + ", ".join(p["urls"]) + "]", "[" + ", ".join(ment) + "]", ""]

    def add(self, p):
        super().add(p)
        acc = p["acc"]
        norm = {"id": p["id"], "platform": "twitter", "author_id": acc["aid"], "author_name": acc["handle"],
                "author_created_at": time.strftime("%Y-%m-%dT00:00:00+00:00", time.gmtime(acc["created"])),
                "author_followers": acc["followers"], "text": p["text"],
                "created_at": time.strftime("%Y-%m-%dT%H:%M:00+00:00", time.gmtime(p["ts"])), "lang": p["lang"],
                "urls": p["urls"], "hashtags": W.post_hashtags(p), "repost_of": p["repost_of"], "reply_to": p["reply_to"]}
        self.twin.write(dumps(norm) + "\n")

    def finish(self):
        self.twin.close()


def ct_time(ts):
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(ts))


class CrowdTangleFacebookWriter(CsvWriter):
    fmt, platform = "crowdtangle", "facebook"
    columns = ("Page Name", "User Name", "Facebook Id", "Page Category", "Page Admin Top Country", "Page Description",
               "Page Created", "Likes at Posting", "Followers at Posting", "Post Created", "Post Created Date",
               "Post Created Time", "Type", "Total Interactions", "Likes", "Comments", "Shares", "Love", "Wow", "Haha",
               "Sad", "Angry", "Care", "Video Share Status", "Is Video Owner?", "Post Views", "Total Views",
               "Total Views For All Crossposts", "Video Length", "URL", "Message", "Link", "Final Link", "Image Text",
               "Link Text", "Description", "Sponsor Id", "Sponsor Name", "Sponsor Category")
    missing_col, time_col, quote_col, id_col = 2, 9, 30, 29
    bad_id = "https://www.facebook.com/broken.page/posts/{n}"

    def row(self, p):
        acc = p["acc"]
        lk, cm, sh, lv, ha, an = counts(p, "l", "c", "s", "love", "haha", "angry")
        cat = {"state_outlet": "MEDIA_NEWS_COMPANY", "news_outlet": "NEWS_SITE", "outlet": "MEDIA_NEWS_COMPANY",
               "seed": "PUBLIC_FIGURE", "factory_owner": "PERSON", "celebrity": "ARTIST", "target": "PUBLIC_FIGURE"}.get(acc["role"], "COMMUNITY")
        link = p["urls"][0] if p["urls"] else ""
        return [acc["name"], acc["handle"], acc["aid"], cat, "KZ", "", time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(acc["created"])),
                acc["followers"], acc["followers"], ct_time(p["ts"]), time.strftime("%Y-%m-%d", time.gmtime(p["ts"])),
                time.strftime("%H:%M:%S", time.gmtime(p["ts"])), "Link" if link else "Status",
                lk + cm + sh + lv + ha + an, lk, cm, sh, lv, 0, ha, 0, an, 0, "", "", 0, 0, 0, "", p["id"], p["text"],
                link, link, "", "", "", "", "", ""]


class CrowdTangleInstagramWriter(CsvWriter):
    fmt, platform = "crowdtangle", "instagram"
    columns = ("Account", "User Name", "Followers at Posting", "Post Created", "Post Created Date", "Post Created Time",
               "Type", "Total Interactions", "Likes", "Comments", "Views", "URL", "Link", "Photo", "Title",
               "Description", "Image Text", "Sponsor Id", "Sponsor Name")
    missing_col, time_col, quote_col, id_col = 1, 3, 15, 11
    bad_id = "https://www.instagram.com/p/broken{n}/"

    def row(self, p):
        acc = p["acc"]
        lk, cm = counts(p, "l", "c")
        return [acc["name"], acc["handle"], acc["followers"], ct_time(p["ts"]), time.strftime("%Y-%m-%d", time.gmtime(p["ts"])),
                time.strftime("%H:%M:%S", time.gmtime(p["ts"])), "Photo", lk + cm, lk, cm, 0, p["id"], p["id"],
                f"https://scontent.cdninstagram.com/v/t51.2885-15/{W.short_hash(p['id'], n=12)}.jpg", "", p["text"], "", "", ""]


class GenericCsvWriter(CsvWriter):
    """A researcher's own CSV: other column names, read with --map."""
    fmt, platform = "csv", "mixed"
    columns = ("post_id", "network", "user", "user_name", "message", "ts", "language", "links", "tags", "shared_from",
               "in_reply_to", "followers", "account_created")
    missing_col, time_col, quote_col, id_col = 2, 5, 4, 0
    bad_id = "broken-{n}"
    MAP = {"id": "post_id", "platform": "network", "author_id": "user", "author_name": "user_name", "text": "message",
           "created_at": "ts", "lang": "language", "urls": "links", "hashtags": "tags", "repost_of": "shared_from",
           "reply_to": "in_reply_to", "author_followers": "followers", "author_created_at": "account_created"}

    def row(self, p):
        n = W.normalized(p)
        return [n["id"], n["platform"], n["author_id"], n["author_name"] or "", n["text"],
                W.iso_local(p["ts"]).replace("T", " "), n["lang"] or "", " ".join(n["urls"]), " ".join(n["hashtags"]),
                n["repost_of"] or "", n["reply_to"] or "", "" if n["author_followers"] is None else n["author_followers"],
                n["author_created_at"] or ""]


# --- Telegram Desktop export ----------------------------------------------------------------------------

TG_SPLIT = re.compile(r"(https?://\S+|#\w+)")


def tg_text(text):
    """Plain string when there are no entities, else a list of strings and entity objects."""
    parts = [s for s in TG_SPLIT.split(text) if s]
    entities, mixed = [], []
    for s in parts:
        kind = "link" if s.startswith("http") else ("hashtag" if s.startswith("#") and len(s) > 1 else "plain")
        entities.append({"type": kind, "text": s})
        mixed.append(s if kind == "plain" else {"type": kind, "text": s})
    if all(e["type"] == "plain" for e in entities):
        return text, ([{"type": "plain", "text": text}] if text else [])
    return mixed, entities


class TelegramWriter(Writer):
    fmt, platform = "telegram", "telegram"

    def __init__(self, path, name, twin_path):
        super().__init__(path, name)
        self.twin = open_out(twin_path)
        self.pending = []
        self.first = True
        self.out.write('{\n "name": "Алматы: новости и обсуждения",\n "type": "public_supergroup",\n'
                       f' "id": {W.TG_CHAT_ID},\n "messages": [\n')

    def services(self, service):
        self.pending = sorted(self.pending + list(service), key=lambda s: s[0])

    def emit(self, msg):
        self.out.write(("" if self.first else ",\n") + "  " + dumps(msg))
        self.first = False
        self.records += 1

    def add(self, p):
        while self.pending and self.pending[0][0] < p["msg"]:
            mid, ts, actor = self.pending.pop(0)
            action = "join_group_by_link" if mid % 3 else "pin_message"
            msg = {"id": mid, "type": "service", "date": local_date(ts), "date_unixtime": str(ts), "actor": actor["name"],
                   "actor_id": actor["aid"], "action": action}
            if action == "pin_message":
                msg["message_id"] = mid - 1
            else:
                msg["inviter"] = "Group"
            msg.update({"text": "", "text_entities": []})
            self.emit(msg)
            self.skipped.append({"line": self.records, "reason": "service"})
        acc = p["acc"]
        text, entities = tg_text(p["text"])
        msg = {"id": p["msg"], "type": "message", "date": local_date(p["ts"]), "date_unixtime": str(p["ts"]),
               "from": acc["name"], "from_id": acc["aid"]}
        if p["fwd"] is not None:
            msg["forwarded_from"] = p["fwd"]["name"]
            msg["forwarded_from_id"] = p["fwd"]["aid"]
        if p["reply"] is not None:
            msg["reply_to_message_id"] = p["reply"]["msg"]
        msg["text"], msg["text_entities"] = text, entities
        self.emit(msg)
        self.posts += 1
        if isinstance(text, list) and "entity_list" not in self.notes:
            self.notes["entity_list"] = {"line": self.records, "id": p["id"]}
        norm = {"id": p["id"], "platform": "telegram", "author_id": acc["aid"], "author_name": acc["name"],
                "author_created_at": None, "author_followers": None, "text": p["text"], "created_at": W.iso_utc(p["ts"]),
                "lang": None, "urls": [e["text"] for e in entities if e["type"] == "link"],
                "hashtags": [e["text"][1:] for e in entities if e["type"] == "hashtag"],
                "repost_of": p["repost_of"], "reply_to": p["reply_to"]}
        norm["hashtags"] = list(dict.fromkeys(norm["hashtags"]))
        self.twin.write(dumps(norm) + "\n")

    def bad(self, kind):
        msg = {"id": 999000 + self.records, "type": "message", "date": "2020-04-29T12:00:00", "date_unixtime": "1588140000",
               "from": "Удалённый аккаунт", "from_id": "user100200300", "text": "битое сообщение",
               "text_entities": [{"type": "plain", "text": "битое сообщение"}]}
        if kind == "missing":
            del msg["from_id"]
        else:
            msg["date"], msg["date_unixtime"] = "2020-04-31T25:00:00", "not-a-time"
        self.emit(msg)
        self.reject(self.records, kind)

    def finish(self):
        self.out.write("\n ]\n}\n")
        self.twin.close()


def local_date(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts + W.ALMT))


# --- VK wall.get ------------------------------------------------------------------------------------------

class VkWriter(Writer):
    """wall.get?extended=1 response shape; items from several walls, profiles and groups after them."""
    fmt, platform = "vk", "vk"

    def __init__(self, path, name):
        super().__init__(path, name)
        self.people = {}
        self.first = True
        self.tmp = open_out(path + ".items.tmp")

    def item(self, p, nested=False):
        it = {"id": p["vk_post"], "owner_id": p["vk_owner"], "from_id": int(p["acc"]["aid"]), "date": p["ts"],
              "post_type": "post", "text": p["text"]}
        if p["urls"]:
            it["attachments"] = [{"type": "link", "link": {"url": u, "title": "", "caption": u.split("/")[2], "description": ""}}
                                 for u in p["urls"]]
        if not nested:
            lk, cm, rp, vw = counts(p, "l", "c", "r", "v")
            it.update({"marked_as_ads": 0, "comments": {"count": cm, "can_post": 1}, "likes": {"count": lk, "user_likes": 0,
                       "can_like": 1}, "reposts": {"count": rp, "user_reposted": 0}, "views": {"count": vw * 7 + lk},
                       "is_favorite": False, "post_source": {"type": "vk"}})
        return it

    def add(self, p):
        it = self.item(p)
        self.people[p["acc"]["aid"]] = p["acc"]
        if p["repost"] is not None:
            it["copy_history"] = [self.item(p["repost"], nested=True)]
            self.people[p["repost"]["acc"]["aid"]] = p["repost"]["acc"]
            if "copy_history" not in self.notes:
                self.notes["copy_history"] = {"line": self.records + 1, "id": p["id"]}
        self.write_item(it)
        self.posts += 1

    def write_item(self, it):
        self.tmp.write(("" if self.first else ",\n") + "   " + dumps(it))
        self.first = False
        self.records += 1

    def bad(self, kind):
        it = {"id": 77, "owner_id": 100200300, "from_id": 100200300, "date": 1588140000, "post_type": "post", "text": "битая запись"}
        if kind == "missing":
            del it["from_id"]
        else:
            it["date"] = "вчера"
        self.write_item(it)
        self.reject(self.records, kind)

    def finish(self):
        self.tmp.close()
        self.out.write(f'{{"response": {{\n  "count": {self.records},\n  "items": [\n')
        with open(self.path + ".items.tmp", encoding="utf-8") as f:
            for chunk in iter(lambda: f.read(1 << 20), ""):
                self.out.write(chunk)
        os.remove(self.path + ".items.tmp")
        profiles, groups = [], []
        for aid in sorted(self.people, key=int):
            acc = self.people[aid]
            if int(aid) < 0:
                groups.append({"id": -int(aid), "name": acc["name"], "screen_name": acc["handle"], "is_closed": 0,
                               "type": "page", "members_count": acc["followers"],
                               "photo_50": f"https://sun9-1.userapi.com/c{-int(aid)}/50.jpg"})
            else:
                first, _, last = acc["name"].partition(" ")
                profiles.append({"id": int(aid), "first_name": first, "last_name": last, "screen_name": acc["handle"],
                                 "is_closed": False, "can_access_closed": True, "followers_count": acc["followers"],
                                 "sex": 1 if first.endswith(("а", "я")) else 2,
                                 "photo_50": f"https://sun9-2.userapi.com/c{aid}/50.jpg"})
        self.out.write("\n  ],\n  \"profiles\": [\n   " + ",\n   ".join(dumps(x) for x in profiles) +
                       "\n  ],\n  \"groups\": [\n   " + ",\n   ".join(dumps(x) for x in groups) + "\n  ]\n}}\n")


# --- RSS 2.0 and Atom, one feed per outlet -----------------------------------------------------------------

def rfc822(ts):
    return time.strftime("%a, %d %b %Y %H:%M:%S +0600", time.gmtime(ts + W.ALMT))


class FeedWriter:
    """Buffers web posts per outlet and writes one RSS 2.0 or Atom file per outlet (newest first)."""

    def __init__(self, directory, name, kind):
        self.dir, self.name, self.kind = directory, name, kind
        self.entries = {}
        self.bad_plan = []

    def add(self, p):
        self.entries.setdefault(p["acc"]["aid"], []).append(p)

    def bad(self, kind):
        self.bad_plan.append(kind)

    def close(self):
        results = {}
        for i, title in enumerate(sorted(self.entries)):
            posts = sorted(self.entries[title], key=lambda p: (-p["ts"], p["id"]))
            acc = posts[0]["acc"]
            fname = f"{acc['domain'].split('.')[0]}.xml"
            path = os.path.join(self.dir, fname)
            bads = self.bad_plan if i == 0 else []
            body, info = (self.rss if self.kind == "rss" else self.atom)(acc, posts, bads, drop_id=(i == 1))
            with open_out(path) as f:
                f.write(body)
            results[f"{self.name}/{fname}"] = info
        return results

    def rss(self, acc, posts, bads, drop_id):
        out = ['<?xml version="1.0" encoding="UTF-8"?>',
               '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">',
               "<channel>", f"<title>{escape(acc['name'])}</title>", f"<link>https://{acc['domain']}/</link>",
               f"<description>{escape(acc['name'])}: новости</description>", f"<language>{acc['lang']}</language>",
               f"<lastBuildDate>{rfc822(posts[0]['ts'])}</lastBuildDate>",
               f'<atom:link href="https://{acc["domain"]}/rss" rel="self" type="application/rss+xml"/>']
        info = {"format": "rss", "platform": "web", "records": 0, "posts": 0, "rejected": [], "skipped": []}
        n = 0
        for k, p in enumerate(posts):
            n += 1
            guid = "" if (drop_id and k == 0) else f'<guid isPermaLink="true">{escape(p["id"])}</guid>'
            if guid == "":
                info["entry_without_id"] = {"line": n, "id": p["id"]}
            out.append(f"<item><title>{escape(p['title'])}</title><link>{escape(p['id'])}</link>{guid}"
                       f"<pubDate>{rfc822(p['ts'])}</pubDate><dc:creator>Редакция</dc:creator>"
                       f"<description>{escape(p['summary'])}</description></item>")
            info["posts"] += 1
            if k == min(2, len(posts) - 1):
                for kind in bads:
                    n += 1
                    date = "" if kind == "missing" else "<pubDate>Thu, 31 Apr 2020 25:61:00 +0600</pubDate>"
                    out.append(f"<item><title>Битая запись {n}</title><link>https://{acc['domain']}/news/broken-{n}</link>"
                               f"<guid>https://{acc['domain']}/news/broken-{n}</guid>{date}<description>…</description></item>")
                    info["rejected"].append({"line": n, "reason": kind})
        info["records"] = n
        out += ["</channel>", "</rss>", ""]
        return "\n".join(out), info

    def atom(self, acc, posts, bads, drop_id):
        out = ['<?xml version="1.0" encoding="UTF-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom">',
               f"<title>{escape(acc['name'])}</title>", f"<id>https://{acc['domain']}/</id>",
               f'<link href="https://{acc["domain"]}/"/>', f'<link rel="self" href="https://{acc["domain"]}/atom.xml"/>',
               f"<updated>{W.iso_local(posts[0]['ts'])}</updated>"]
        info = {"format": "rss", "platform": "web", "records": 0, "posts": 0, "rejected": [], "skipped": []}
        n = 0
        for k, p in enumerate(posts):
            n += 1
            eid = "" if (drop_id and k == 0) else f"<id>{escape(p['id'])}</id>"
            if eid == "":
                info["entry_without_id"] = {"line": n, "id": p["id"]}
            stamp = W.iso_local(p["ts"])
            out.append(f'<entry><title>{escape(p["title"])}</title>{eid}<link href="{escape(p["id"])}"/>'
                       f"<published>{stamp}</published><updated>{stamp}</updated><author><name>Редакция</name></author>"
                       f'<summary type="text">{escape(p["summary"])}</summary></entry>')
            info["posts"] += 1
            if k == min(2, len(posts) - 1):
                for kind in bads:
                    n += 1
                    stamp = "" if kind == "missing" else "<published>2020-04-31T25:61:00+06:00</published><updated>2020-04-31T25:61:00+06:00</updated>"
                    out.append(f'<entry><title>Битая запись {n}</title><id>https://{acc["domain"]}/news/broken-{n}</id>'
                               f'<link href="https://{acc["domain"]}/news/broken-{n}"/>{stamp}<summary>…</summary></entry>')
                    info["rejected"].append({"line": n, "reason": kind})
        info["records"] = n
        out += ["</feed>", ""]
        return "\n".join(out), info


# --- the set of exports ---------------------------------------------------------------------------------------

FORMATS = ("jsonl", "twarc2", "ioarchive", "telegram", "vk", "crowdtangle", "rss", "csv")


class Exports:
    """Routes each post to the writers of the chosen formats."""

    def __init__(self, directory, formats):
        self.dir = directory
        self.by_platform = {p: [] for p in W.PLATFORMS}
        self.all = []
        self.writers = []

        def path(name):
            return os.path.join(directory, name)

        def reg(writer, platforms):
            self.writers.append(writer)
            for plat in platforms:
                self.by_platform[plat].append(writer)
            return writer

        if "jsonl" in formats:
            self.all.append(reg(JsonlWriter(path("normalized.jsonl"), "normalized.jsonl"), []))
        if "csv" in formats:
            self.all.append(reg(GenericCsvWriter(path("generic.csv"), "generic.csv"), []))
        if "twarc2" in formats:
            reg(TwarcPagesWriter(path("twarc2_pages.jsonl"), "twarc2_pages.jsonl"), ["twitter"])
            reg(TwarcFlatWriter(path("twarc2_flat.jsonl"), "twarc2_flat.jsonl"), ["twitter"])
        if "ioarchive" in formats:
            reg(IoArchiveWriter(path("ioarchive.csv"), "ioarchive.csv", path("ioarchive.twin.jsonl")), ["twitter"])
        if "telegram" in formats:
            self.telegram = reg(TelegramWriter(path("telegram_result.json"), "telegram_result.json", path("telegram.twin.jsonl")), ["telegram"])
        if "vk" in formats:
            reg(VkWriter(path("vk_wall.json"), "vk_wall.json"), ["vk"])
        if "crowdtangle" in formats:
            reg(CrowdTangleFacebookWriter(path("crowdtangle_facebook.csv"), "crowdtangle_facebook.csv"), ["facebook"])
            reg(CrowdTangleInstagramWriter(path("crowdtangle_instagram.csv"), "crowdtangle_instagram.csv"), ["instagram"])
        if "rss" in formats:
            reg(FeedWriter(path("outlets_rss"), "outlets_rss", "rss"), ["web"])
            reg(FeedWriter(path("outlets_atom"), "outlets_atom", "atom"), ["web"])

    def services(self, service):
        if hasattr(self, "telegram"):
            self.telegram.services(service)

    def add(self, p):
        for w in self.by_platform[p["platform"]]:
            w.add(p)
        for w in self.all:
            w.add(p)

    def close(self):
        expected = {}
        for w in self.writers:
            res = w.close()
            if isinstance(w, FeedWriter):
                expected.update(res)
            else:
                expected[w.name] = res
        return expected
