// smearwatch review UI: keyboard decisions, undo, navigation, help, uploads with progress.
// No inline scripts anywhere (strict CSP); the shortcut table in #help is the single source of the key map.
(function () {
  "use strict";
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  const main = document.getElementById("main");
  const page = main ? main.dataset.page : "";
  // The queue decides campaigns (the home page) or clusters (/queue/clusters): one code path, two URLs.
  const unit = main && main.dataset.unit === "campaign" ? "campaigns" : "clusters";
  const LABELS = {smear: "coordinated smear", coordinated: "coordinated, not smear", organic: "organic", unsure: "unsure"};

  document.body.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRF-Token"] = csrf;
  });

  function toast(text) {
    const el = document.getElementById("toast");
    if (!el) return;
    el.textContent = text;
    el.classList.add("show");
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { el.classList.remove("show"); }, 2500);
  }

  function api(method, url, body) {
    const options = {method: method, credentials: "same-origin", headers: {"X-CSRF-Token": csrf, "Accept": "application/json"}};
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) throw new Error(data.detail || ("HTTP " + response.status));
        return data;
      });
    });
  }

  // Requests run one after another, so fast key presses are recorded in order.
  let chain = Promise.resolve();
  function enqueue(work) {
    chain = chain.then(work).catch(function (error) { toast("Not saved: " + error.message); });
    return chain;
  }

  function badge(answer) {
    if (!answer) return "";
    const span = document.createElement("span");
    span.className = "badge badge-" + answer;
    span.textContent = LABELS[answer] || answer;
    return span;
  }

  function setAnswer(cell, answer) {
    if (!cell) return;
    cell.textContent = "";
    const b = badge(answer);
    if (b) cell.appendChild(b); else if (cell.id === "current-answer") cell.textContent = "none";
  }

  function currentAnswer(clusterId) {
    if (unit === "campaigns") {
      return api("GET", "/api/v1/campaigns/" + clusterId).then(function (data) { return data.answer; });
    }
    return api("GET", "/api/v1/clusters/" + clusterId + "/decisions").then(function (data) {
      const undone = new Set(data.data.filter(function (d) { return d.undoes; }).map(function (d) { return d.undoes; }));
      const live = data.data.filter(function (d) { return d.answer !== "undo" && !undone.has(d.id); });
      return live.length ? live[live.length - 1].answer : null;
    });
  }

  function noteText() {
    const note = document.getElementById("note");
    if (!note) return null;
    const text = note.value.trim();
    note.value = "";
    return text || null;
  }

  // Runs inside the request chain, after the decision is stored, so the count is never stale.
  function decided() {
    return api("GET", "/api/v1/" + unit + "/progress").then(function (p) {
      const bar = document.querySelector("#progress progress");
      const text = document.querySelector("#progress .progress-text");
      if (bar) { bar.max = p.total || 1; bar.value = p.reviewed; }
      if (text) text.textContent = p.reviewed + " of " + p.total + " reviewed";
      document.body.dispatchEvent(new CustomEvent("decided"));
    });
  }

  // --- the queue: a list of rows, one selected -------------------------------------------------------------
  const rows = Array.prototype.slice.call(document.querySelectorAll(".cluster-row"));
  let selected = -1;

  function select(index) {
    if (!rows.length) return;
    index = Math.max(0, Math.min(rows.length - 1, index));
    if (selected >= 0 && rows[selected]) rows[selected].classList.remove("selected");
    selected = index;
    rows[selected].classList.add("selected");
    rows[selected].setAttribute("aria-selected", "true");
    rows[selected].scrollIntoView({block: "nearest"});
  }

  if (page === "queue" && rows.length) {
    const firstOpen = rows.findIndex(function (row) { return !row.querySelector(".badge"); });
    select(firstOpen >= 0 ? firstOpen : 0);
  }

  function decideRow(answer) {
    if (selected < 0) return;
    const row = rows[selected];
    const note = noteText();
    row.classList.add("pending");
    select(selected + 1);
    enqueue(function () {
      return api("POST", "/api/v1/" + unit + "/" + row.dataset.id + "/decisions", {answer: answer, note: note}).then(function () {
        setAnswer(row.querySelector(".answer"), answer);
        row.classList.remove("pending");
        toast((unit === "campaigns" ? "Campaign " : "Cluster ") + row.dataset.id + ": " + LABELS[answer]);
        return decided();
      });
    });
  }

  function undoQueue() {
    enqueue(function () {
      return api("POST", "/api/v1/decisions/undo-last").then(function (undo) {
        const id = unit === "campaigns" ? undo.campaign_id : undo.cluster_id;
        if (id === null || id === undefined) { toast("Undone: cluster " + undo.cluster_id); return decided(); }
        return currentAnswer(id).then(function (answer) {
          const index = rows.findIndex(function (row) { return row.dataset.id === String(id); });
          if (index >= 0) {
            setAnswer(rows[index].querySelector(".answer"), answer);
            select(index);
          }
          toast("Undone: " + (unit === "campaigns" ? "campaign " : "cluster ") + id);
          return decided();
        });
      });
    });
  }

  // --- the cluster page ------------------------------------------------------------------------------------
  function decideCluster(answer) {
    const id = main.dataset.clusterId;
    const note = noteText();
    enqueue(function () {
      return api("POST", "/api/v1/clusters/" + id + "/decisions", {answer: answer, note: note}).then(function () {
        setAnswer(document.getElementById("current-answer"), answer);
        toast("Cluster " + id + ": " + LABELS[answer]);
        if (main.dataset.next) window.location.assign("/clusters/" + main.dataset.next);
        else window.location.reload();
      });
    });
  }

  function undoCluster() {
    enqueue(function () {
      return api("POST", "/api/v1/decisions/undo-last").then(function (undo) {
        window.location.assign("/clusters/" + undo.cluster_id);
      });
    });
  }

  // --- the campaign page: a decision applies to each of its clusters ------------------------------------------
  function decideCampaign(answer) {
    const id = main.dataset.campaignId;
    const note = noteText();
    enqueue(function () {
      return api("POST", "/api/v1/campaigns/" + id + "/decisions", {answer: answer, note: note}).then(function () {
        toast("Campaign " + id + ": " + LABELS[answer]);
        if (main.dataset.next) window.location.assign("/campaigns/" + main.dataset.next);
        else window.location.reload();
      });
    });
  }

  function undoCampaign() {
    enqueue(function () {
      return api("POST", "/api/v1/decisions/undo-last").then(function (undo) {
        window.location.assign(undo.campaign_id ? "/campaigns/" + undo.campaign_id : "/clusters/" + undo.cluster_id);
      });
    });
  }

  // --- keys ------------------------------------------------------------------------------------------------
  const keymap = {};
  document.querySelectorAll("#help tr.shortcut").forEach(function (tr) {
    keymap[tr.dataset.key] = {action: tr.dataset.action, arg: tr.dataset.arg};
  });

  function toggleHelp(show) {
    const help = document.getElementById("help");
    if (!help) return;
    help.hidden = show === undefined ? !help.hidden : !show;
  }

  document.addEventListener("keydown", function (event) {
    const target = event.target;
    const typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT" || target.isContentEditable);
    if (typing) {
      if (event.key === "Escape") target.blur();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape") { toggleHelp(false); return; }
    const entry = keymap[event.key];
    if (!entry) return;
    if (entry.action === "help") { event.preventDefault(); toggleHelp(); return; }
    if (page !== "queue" && page !== "cluster" && page !== "campaign") return;
    event.preventDefault();
    const onQueue = page === "queue";
    const onCampaign = page === "campaign";
    switch (entry.action) {
      case "decide": onQueue ? decideRow(entry.arg) : (onCampaign ? decideCampaign(entry.arg) : decideCluster(entry.arg)); break;
      case "undo": onQueue ? undoQueue() : (onCampaign ? undoCampaign() : undoCluster()); break;
      case "move":
        if (onQueue) select(selected + Number(entry.arg));
        else {
          const to = Number(entry.arg) > 0 ? main.dataset.next : main.dataset.prev;
          if (to) window.location.assign((onCampaign ? "/campaigns/" : "/clusters/") + to);
        }
        break;
      case "open":
        if (onQueue && selected >= 0) window.location.assign(rows[selected].dataset.href);
        break;
      case "note": {
        const note = document.getElementById("note");
        if (note) note.focus();
        break;
      }
    }
  });

  // --- uploads: stream the file as the request body, with a progress bar ---------------------------------
  const form = document.getElementById("upload-form");
  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      const input = document.getElementById("upload-file");
      const bar = document.getElementById("upload-progress");
      const status = document.getElementById("upload-status");
      const file = input.files && input.files[0];
      if (!file) return;
      if (file.size > Number(input.dataset.maxBytes)) { status.textContent = "The file is larger than the upload limit."; return; }
      const xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/v1/uploads?filename=" + encodeURIComponent(file.name));
      xhr.setRequestHeader("X-CSRF-Token", csrf);
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      bar.hidden = false;
      bar.value = 0;
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) bar.value = Math.round(100 * e.loaded / e.total);
      });
      xhr.addEventListener("load", function () {
        let data = {};
        try { data = JSON.parse(xhr.responseText); } catch (e) { data = {}; }
        if (xhr.status === 202) {
          bar.value = 100;
          status.textContent = "Uploaded; ingest run " + data.run_id + " started.";
          if (window.htmx) window.htmx.trigger("#runs", "every");
        } else {
          status.textContent = "Upload failed: " + (data.detail || xhr.status);
        }
      });
      xhr.addEventListener("error", function () { status.textContent = "Upload failed: network error"; });
      xhr.send(file);
    });
  }
})();
