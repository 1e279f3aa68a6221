// dateline report: renders the facts embedded in #dateline-data (the core
// computed all of them: words, summaries, trivial flags, sessions, blame and
// the structural diffs). Nothing here counts or compares text.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("dateline-data").textContent);
  const versions = data.log.versions; // newest first
  const byId = new Map(versions.map((v, i) => [v.id, i]));
  const state = { marked: null, old: null, new: null };

  // ------------------------------------------------------------ helpers --
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children) if (c !== null && c !== undefined) node.append(c);
    return node;
  }
  const svgNS = "http://www.w3.org/2000/svg";
  function svg(tag, attrs) {
    const node = document.createElementNS(svgNS, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    return node;
  }
  function when(v) {
    return v.time.replace("T", " ").replace(/:\d\d([+-]\d\d:\d\d|Z)$/, " $1");
  }
  function firstLine(text) {
    const lines = text.split("\n");
    return lines.length > 1 ? lines[0] + " (+" + (lines.length - 1) + " lines)" : text;
  }
  function signed(n) {
    return (n > 0 ? "+" : n < 0 ? "−" : "±") + Math.abs(n);
  }
  function versionName(v) {
    return v.short + " · " + when(v) + " · " + v.author.name;
  }

  // --------------------------------------------------------------- head --
  document.getElementById("key").textContent = data.key;
  document.getElementById("headline").textContent = data.article.headline || "(no headline)";
  const annotatedCount = versions.filter((v) => v.note !== null).length;
  const sessionCount = new Set(versions.map((v) => v.session)).size;
  document.getElementById("facts").textContent =
    versions.length + (versions.length === 1 ? " version" : " versions") + ", " +
    annotatedCount + " annotated, in " + sessionCount +
    (sessionCount === 1 ? " session" : " sessions") + " · " + data.article.words + " words now";
  document.getElementById("generator").textContent = "Made by " + data.generator + ".";

  // --------------------------------------------------------------- plot --
  (function plot() {
    const figure = document.getElementById("plot");
    const oldest = versions.length - 1;
    const max = Math.max(1, ...versions.map((v) => v.words));
    const W = 600, H = 120, pad = 24;
    const x = (i) => pad + (oldest === 0 ? (W - 2 * pad) / 2 : ((oldest - i) / oldest) * (W - 2 * pad));
    const y = (w) => H - pad - (w / max) * (H - 2 * pad);
    const label = "Words per version, oldest to newest: from " + versions[oldest].words + " to " +
      versions[0].words + " words; annotated versions are marked with dots.";
    const root = svg("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": label });
    root.append(svg("line", { x1: pad, y1: H - pad, x2: W - pad, y2: H - pad, class: "plot-axis" }));
    const points = versions.map((v, i) => x(i).toFixed(1) + "," + y(v.words).toFixed(1)).join(" ");
    root.append(svg("polyline", { points: points, class: "plot-line" }));
    versions.forEach((v, i) => {
      if (v.note === null) return;
      const dot = svg("circle", { cx: x(i).toFixed(1), cy: y(v.words).toFixed(1), r: 4, class: "plot-note" });
      const title = svg("title", {});
      title.textContent = v.short + ": " + v.words + " words — " + firstLine(v.note);
      dot.append(title);
      root.append(dot);
    });
    const top = svg("text", { x: 2, y: y(max) + 4, class: "plot-text" });
    top.textContent = String(max);
    root.append(top);
    figure.append(root, el("figcaption", { text: label }));
  })();

  // ----------------------------------------------------------- timeline --
  const timeline = document.getElementById("timeline");
  const hideTrivial = document.getElementById("hide-trivial");
  const trivialCount = versions.filter((v) => v.trivial).length;
  document.getElementById("trivial-count").textContent =
    "(" + trivialCount + (trivialCount === 1 ? " trivial version)" : " trivial versions)");

  // Only some versions shown (a report's --from/--to, or a served page of a
  // long history): say how many, and how to see the rest.
  if (data.versions_total > versions.length) {
    const note = document.getElementById("range-note");
    note.hidden = false;
    note.append("Showing " + versions.length + " of the " + data.versions_total +
      " versions of this article. ");
    if (data.api_base !== null) {
      // Served: pages of page_versions, each named by how many are newer.
      const page = (newer, text) =>
        el("a", { href: "?to=" + encodeURIComponent("@~" + newer), text: text });
      const older = data.versions_newer + versions.length;
      if (data.versions_newer > 0)
        note.append(page(Math.max(0, data.versions_newer - data.page_versions), "Newer versions"), " ");
      if (older < data.versions_total) note.append(page(older, "Older versions"));
    } else {
      note.append("For the others, make a report with ",
        el("code", { text: "dateline report " + data.key + " --from REV --to REV" }), ".");
    }
  }

  function versionButton(v) {
    const badges = [];
    if (v.note !== null) badges.push(el("span", { class: "badge noted", text: "annotated" }));
    if (v.trivial) badges.push(el("span", { class: "badge", text: "trivial" }));
    if (v.text === false) badges.push(el("span", { class: "badge", text: "not text" }));
    const button = el("button", {
      type: "button", class: "version" + (v.note !== null ? " annotated" : "") + (v.trivial ? " trivial" : ""),
      "data-id": v.id, tabindex: "-1",
    },
    el("span", { class: "version-line" },
      el("span", { class: "who", text: v.author.name }),
      el("time", { datetime: v.time, text: when(v) }),
      el("span", { text: v.words + " words (" + signed(v.words_delta) + ")" }),
      el("span", { text: v.short }), ...badges),
    el("span", { class: "summary", text: v.summary || (v.parent_count === 0 ? "first version" : "") }),
    v.note !== null ? el("span", { class: "note", text: "Note: " + v.note }) : null);
    return button;
  }

  // Versions grouped by session, in log order (sessions are runs).
  const sessions = [];
  for (const v of versions) {
    const last = sessions[sessions.length - 1];
    if (last && last.id === v.session) last.versions.push(v);
    else sessions.push({ id: v.session, versions: [v] });
  }
  for (const s of sessions) {
    const item = el("li", { class: "session" });
    const list = el("ol", {});
    for (const v of s.versions) list.append(el("li", { class: v.trivial ? "trivial" : null }, versionButton(v)));
    if (s.versions.length > 1) {
      const newest = s.versions[0], oldest = s.versions[s.versions.length - 1];
      const noted = s.versions.some((v) => v.note !== null);
      // A session with a note, or the latest one, starts open.
      const open = noted || s === sessions[0];
      const head = el("button", {
        type: "button", class: "session-head", "aria-expanded": String(open), tabindex: "-1",
        text: "Session of " + s.versions.length + " saves by " + newest.author.name + ", " +
          when(oldest) + " – " + when(newest).slice(11),
      });
      list.hidden = !open;
      head.addEventListener("click", () => toggleSession(head, list));
      item.append(head);
    }
    item.append(list);
    timeline.append(item);
  }

  function toggleSession(head, list) {
    const open = head.getAttribute("aria-expanded") !== "true";
    head.setAttribute("aria-expanded", String(open));
    list.hidden = !open;
  }

  // One tab stop for the whole timeline; arrows move within it.
  function stops() {
    return [...timeline.querySelectorAll("button")].filter((b) => b.offsetParent !== null);
  }
  function focusStop(button) {
    for (const b of timeline.querySelectorAll("button")) b.tabIndex = -1;
    if (button) {
      button.tabIndex = 0;
      button.focus();
    }
  }
  function resetStop() {
    const visible = stops();
    const current = visible.find((b) => b.tabIndex === 0) || visible[0];
    for (const b of timeline.querySelectorAll("button")) b.tabIndex = -1;
    if (current) current.tabIndex = 0;
  }
  timeline.addEventListener("keydown", (event) => {
    const visible = stops();
    const at = visible.indexOf(document.activeElement);
    if (at < 0) return;
    let next = null;
    if (event.key === "ArrowDown") next = visible[Math.min(at + 1, visible.length - 1)];
    else if (event.key === "ArrowUp") next = visible[Math.max(at - 1, 0)];
    else if (event.key === "Home") next = visible[0];
    else if (event.key === "End") next = visible[visible.length - 1];
    else if (event.key === " " && document.activeElement.classList.contains("version")) {
      event.preventDefault();
      mark(document.activeElement.dataset.id);
      return;
    } else return;
    event.preventDefault();
    focusStop(next);
  });
  timeline.addEventListener("click", (event) => {
    const button = event.target.closest(".version");
    if (!button) return;
    focusStop(button);
    pick(button.dataset.id);
  });
  hideTrivial.addEventListener("change", () => {
    timeline.classList.toggle("hide-trivial", hideTrivial.checked);
    resetStop();
  });
  resetStop();

  function mark(id) {
    state.marked = state.marked === id ? null : id;
    for (const b of timeline.querySelectorAll(".version")) {
      const on = b.dataset.id === state.marked;
      b.classList.toggle("marked", on);
      b.setAttribute("aria-pressed", String(on));
    }
  }

  // Enter or a click: compare the marked version (or the one before) with this one.
  function pick(id) {
    const i = byId.get(id);
    let other = state.marked !== null && state.marked !== id ? state.marked : null;
    if (other === null && i + 1 < versions.length) other = versions[i + 1].id;
    if (other === null) other = id;
    const [a, b] = byId.get(other) > i ? [other, id] : [id, other];
    compare(a, b);
    mark(null);
    document.getElementById("compare-heading").focus();
  }

  // ------------------------------------------------------------ article --
  (function article() {
    const root = document.getElementById("article");
    const a = data.article;
    const current = versions[byId.get(a.id)];
    document.getElementById("article-help").textContent =
      (a.blamed ? "As of the latest version, " : "As of version " + current.short + " (blame is shown for the latest version only), ") +
      versionName(current) + ". Hover over a paragraph or move to it with Tab to see the version that last changed it.";
    if (a.dek) root.append(el("p", { class: "dek", text: a.dek }));
    a.blocks.forEach((block, i) => {
      const id = "blame-" + i;
      const b = block.blame;
      // A page of the newest versions of a longer history looks back only
      // through those: its oldest is credited with anything older.
      const orEarlier = a.blame_looked_back && b !== null && b.id === versions[versions.length - 1].id
        ? " (or an older version not shown here)" : "";
      const origin = !a.blamed ? "Blame is shown for the latest version only."
        : b === null ? "Not recorded in any version yet."
        : "Last changed by " + b.short + orEarlier + " on " + when(b) + " by " + b.author.name +
          (b.note !== null ? ". Note: " + b.note : ".");
      root.append(el("div", { class: "para", tabindex: "0", "aria-describedby": id },
        el("span", { class: "label", text: block.label }),
        el("p", { text: block.text }),
        el("div", { class: "blame", id: id, role: "note", text: origin })));
    });
  })();

  // ------------------------------------------------------------ compare --
  const oldSelect = document.getElementById("compare-old");
  const newSelect = document.getElementById("compare-new");
  for (const v of versions) {
    const label = versionName(v) + (v.note !== null ? " · annotated" : "");
    oldSelect.append(el("option", { value: v.id, text: label }));
    newSelect.append(el("option", { value: v.id, text: label }));
  }
  oldSelect.addEventListener("change", () => compare(oldSelect.value, newSelect.value));
  newSelect.addEventListener("change", () => compare(oldSelect.value, newSelect.value));

  // Step: the pair of neighbours one version older or newer.
  function step(by) {
    const i = byId.get(state.new) - by;
    if (i < 0 || i + 1 >= versions.length) return;
    compare(versions[i + 1].id, versions[i].id);
  }
  document.getElementById("step-older").addEventListener("click", () => step(-1));
  document.getElementById("step-newer").addEventListener("click", () => step(1));
  document.getElementById("compare-view").addEventListener("keydown", (event) => {
    if (event.target.tagName === "SELECT") return;
    if (event.key === "ArrowLeft") step(-1);
    else if (event.key === "ArrowRight") step(1);
    else return;
    event.preventDefault();
  });

  function words(ops) {
    const p = el("p", {});
    for (const [op, text] of ops) {
      if (op === "=") p.append(text);
      else p.append(el(op === "+" ? "ins" : "del", { text: text }));
    }
    return p;
  }

  function renderPair(pair, a, b) {
    const out = [];
    out.push(el("p", { class: "pair-head" }, "From ", el("strong", { text: versionName(a) }),
      " to ", el("strong", { text: versionName(b) }), ": " + pair.summary +
      " (" + signed(pair.stats.words_delta) + " words)"));
    if (pair.coarse)
      out.push(el("p", { class: "missing", text: "This comparison is coarse: the versions differ too much for a paragraph-by-paragraph answer within dateline's budget." }));
    if (pair.quotations.length > 0) {
      out.push(el("h3", { text: "Quotations" }));
      for (const q of pair.quotations) {
        const who = q.speaker !== null ? q.speaker : "nobody credited";
        const head = el("p", { class: "speaker", text: "Quotation " + q.change + " · " + who +
          (q.change === "reattributed" ? " (was " + (q.old_speaker || "nobody") + ")" : "") + " · " + q.where });
        const box = el("div", { class: "quotation-change" }, head);
        if (q.words) box.append(words(q.words));
        if (q.old !== null) box.append(el("p", {}, "Old words: ", el("del", { text: "“" + q.old + "”" })));
        if (q.new !== null) box.append(el("p", {}, "New words: ", el("ins", { text: "“" + q.new + "”" })));
        out.push(box);
      }
    }
    if (pair.events.length > 0) {
      out.push(el("h3", { text: "Headline, dek, byline and dateline" }));
      for (const e of pair.events)
        out.push(el("div", { class: "block edited" }, el("span", { class: "label", text: e.what }),
          el("p", {}, e.old !== null ? el("del", { text: e.old }) : "", " ",
            e.new !== null ? el("ins", { text: e.new }) : "")));
    }
    out.push(el("h3", { text: "Paragraphs" }));
    let run = [];
    const flush = () => {
      if (run.length === 0) return;
      const text = (run.length <= 2 ? run.join(", ")
        : run[0] + " to " + run[run.length - 1] + " (" + run.length + " blocks)") + " unchanged";
      out.push(el("p", { class: "block unchanged", text: text }));
      run = [];
    };
    for (const block of pair.blocks) {
      if (block.kind === "unchanged") {
        run.push(block.label);
        continue;
      }
      flush();
      const label = block.kind === "moved" ? block.label + " moved (was " + block.old_label + ")"
        : block.old_label && block.old_label !== block.label ? block.label + " " + block.kind + " (was " + block.old_label + ")"
        : block.label + " " + block.kind;
      const item = el("div", { class: "block " + block.kind }, el("span", { class: "label", text: label }));
      if (block.words) item.append(words(block.words));
      else if (block.kind === "added") item.append(el("p", {}, el("ins", { text: block.text })));
      else if (block.kind === "removed") item.append(el("p", {}, el("del", { text: block.text })));
      else if (block.text) item.append(el("p", { text: block.text }));
      out.push(item);
    }
    flush();
    return out;
  }

  function missing(a, b) {
    const command = "dateline report " + data.key + " --from " + a.short + " --to " + b.short;
    return [el("div", { class: "missing" },
      el("p", { text: "This report does not hold the comparison of " + a.short + " and " + b.short +
        (data.pairs_cut ? " (it holds every pair of neighbouring versions, and others up to its size budget)." : ".") +
        " Make a report of just those versions with:" }),
      el("p", {}, el("code", { text: command })))];
  }

  const fetched = new Map();
  function compare(oldId, newId) {
    const out = document.getElementById("compare");
    if (byId.get(oldId) < byId.get(newId)) [oldId, newId] = [newId, oldId];
    state.old = oldId;
    state.new = newId;
    oldSelect.value = oldId;
    newSelect.value = newId;
    for (const b of timeline.querySelectorAll(".version")) {
      b.classList.toggle("current", b.dataset.id === oldId || b.dataset.id === newId);
    }
    const a = versions[byId.get(oldId)], b = versions[byId.get(newId)];
    document.getElementById("step-older").disabled = byId.get(newId) + 1 >= versions.length;
    document.getElementById("step-newer").disabled = byId.get(newId) === 0;
    if (oldId === newId) {
      out.replaceChildren(el("p", { text: "Pick two different versions to compare." }));
      return;
    }
    if (a.text === false || b.text === false) {
      out.replaceChildren(el("p", { class: "missing", text: "One of these versions is not UTF-8 text and cannot be compared." }));
      return;
    }
    const key = oldId + ".." + newId;
    const pair = data.pairs[key] || fetched.get(key);
    if (pair) {
      out.replaceChildren(...renderPair(pair, a, b));
    } else if (data.api_base !== null) {
      out.replaceChildren(el("p", { text: "Loading the comparison…" }));
      fetch(data.api_base + "/diff?a=" + encodeURIComponent(oldId) + "&b=" + encodeURIComponent(newId))
        .then((r) => (r.ok ? r.json() : Promise.reject(new Error(r.status + " " + r.statusText))))
        .then((p) => {
          fetched.set(key, p);
          if (state.old === oldId && state.new === newId) out.replaceChildren(...renderPair(p, a, b));
        })
        .catch((e) => out.replaceChildren(el("p", { class: "missing", text: "The comparison could not be loaded: " + e.message })));
    } else {
      out.replaceChildren(...missing(a, b));
    }
  }

  if (versions.length > 1) compare(versions[1].id, versions[0].id);
  else compare(versions[0].id, versions[0].id);
})();
