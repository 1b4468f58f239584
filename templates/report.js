/* fixture-graph report: search, selection, pan/zoom, sortable tables. Hand-written, no deps.
   Every piece of text from the scanned suite is set with textContent, never parsed as HTML. */
(function () {
  "use strict";

  const data = JSON.parse(document.getElementById("fg-data").textContent);
  const fixtures = data.fixtures;
  const graph = document.getElementById("fg-graph");
  const svg = graph.querySelector("svg");
  const search = document.getElementById("fg-search");
  const count = document.getElementById("fg-count");
  const nodeEls = new Map();
  const edgeEls = new Map();
  const members = new Map();
  const rows = new Map();
  let selected = null;

  if (svg) {
    svg.querySelectorAll("g.node").forEach((g) => nodeEls.set(g.id, g));
    svg.querySelectorAll("g.edge").forEach((g) => edgeEls.set(g.id, g));
  }
  fixtures.forEach((f, i) => {
    if (f.node) {
      if (!members.has(f.node)) members.set(f.node, []);
      members.get(f.node).push(i);
    }
  });
  document.querySelectorAll("#fg-t-fixtures tr[data-row]").forEach((tr) => rows.set(Number(tr.dataset.row), tr));
  const haystack = fixtures.map((f) => (f.name + "\n" + f.id + "\n" + f.file).toLowerCase());

  /* ---- graph walks ---- */
  function reach(start, key) {
    const seen = new Set();
    const stack = [start];
    while (stack.length) {
      const i = stack.pop();
      for (const j of fixtures[i][key]) {
        if (j !== start && !seen.has(j)) {
          seen.add(j);
          stack.push(j);
        }
      }
    }
    return seen;
  }

  function nodesOf(indices) {
    const out = new Set();
    indices.forEach((i) => {
      if (fixtures[i].node) out.add(fixtures[i].node);
    });
    return out;
  }

  /* ---- selection ---- */
  function clearMarks() {
    if (!svg) return;
    svg.classList.remove("fg-focus");
    svg.querySelectorAll(".fg-sel, .fg-dep, .fg-rdep").forEach((el) => el.classList.remove("fg-sel", "fg-dep", "fg-rdep"));
  }

  function mark(map, id, cls) {
    const el = map.get(id);
    if (el) el.classList.add(cls);
  }

  function select(i, fromGraph) {
    selected = i;
    const f = fixtures[i];
    const deps = reach(i, "deps");
    const rdeps = reach(i, "dependents");
    if (svg) {
      clearMarks();
      svg.classList.add("fg-focus");
      const depNodes = nodesOf(deps);
      const rdepNodes = nodesOf(rdeps);
      depNodes.forEach((id) => mark(nodeEls, id, "fg-dep"));
      rdepNodes.forEach((id) => mark(nodeEls, id, "fg-rdep"));
      if (f.node) mark(nodeEls, f.node, "fg-sel");
      for (const [source, target, id] of data.edges) {
        if ((source === f.node || depNodes.has(source)) && depNodes.has(target)) mark(edgeEls, id, "fg-dep");
        if (rdepNodes.has(source) && (target === f.node || rdepNodes.has(target))) mark(edgeEls, id, "fg-rdep");
      }
      if (!fromGraph && f.node && nodeEls.has(f.node)) reveal(nodeEls.get(f.node));
    }
    rows.forEach((tr) => tr.classList.remove("selected"));
    if (rows.has(i)) rows.get(i).classList.add("selected");
    showDetail(f, deps.size, rdeps.size);
  }

  function clearSelection() {
    selected = null;
    clearMarks();
    rows.forEach((tr) => tr.classList.remove("selected"));
    document.getElementById("fg-detail-body").hidden = true;
    document.getElementById("fg-detail-empty").hidden = false;
  }

  /* ---- detail panel ---- */
  function setText(id, text) {
    document.getElementById(id).textContent = text;
  }

  function fixtureButton(i) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "fx";
    b.dataset.fixture = String(i);
    b.textContent = fixtures[i].name;
    b.title = fixtures[i].id;
    return b;
  }

  function setList(id, indices, empty) {
    const dd = document.getElementById(id);
    dd.replaceChildren();
    if (!indices.length) {
      dd.textContent = empty;
      return;
    }
    indices.forEach((i, n) => {
      if (n) dd.append(", ");
      dd.append(fixtureButton(i));
    });
  }

  function showDetail(f, nDeps, nRdeps) {
    document.getElementById("fg-detail-empty").hidden = true;
    document.getElementById("fg-detail-body").hidden = false;
    setText("fg-d-name", f.name);
    const badges = [f.kind];
    if (f.autouse) badges.push("autouse");
    if (f.conditional) badges.push("conditional");
    if (f.isYield) badges.push("yield");
    if (f.isAsync) badges.push("async");
    if (f.params) badges.push("params: " + f.params);
    setText("fg-d-badges", badges.join(" \u00b7 "));
    setText("fg-d-id", f.id);
    setText("fg-d-scope", f.scope + (f.scopeSource ? " (" + f.scopeSource + ")" : ""));
    setText(
      "fg-d-impact",
      (f.impact ? f.impact + " (weight " + f.weight + ")" + (f.impactDescription ? ": " + f.impactDescription : "") : "untagged") +
        (f.measured ? " \u00b7 measured: " + f.measured : "")
    );
    setText("fg-d-loc", f.file + ":" + f.line);
    setText("fg-d-used", f.usedBy + (f.usedBy === 1 ? " test" : " tests"));
    setList("fg-d-deps", f.deps, "nothing");
    const depsDd = document.getElementById("fg-d-deps");
    if (nDeps > f.deps.length) depsDd.append(" (" + nDeps + " in all)");
    setList("fg-d-rdeps", f.dependents, "no fixture");
    const rdepsDd = document.getElementById("fg-d-rdeps");
    if (nRdeps > f.dependents.length) rdepsDd.append(" (" + nRdeps + " in all)");
    const chain = f.overrides.length > 1 ? f.overrides.join("  \u2192  ") : "overrides nothing, not overridden";
    setText("fg-d-overrides", chain);
    setText("fg-d-guards", f.guards.length ? f.guards.join("; ") : f.conditional ? "conditional" : "none");
    setText("fg-d-findings", f.findings.length ? f.findings.join("\n") : "none");
    setText("fg-d-doc", f.doc || "");
  }

  function showModule(list) {
    document.getElementById("fg-detail-empty").hidden = true;
    document.getElementById("fg-detail-body").hidden = false;
    clearMarks();
    const f = fixtures[list[0]];
    setText("fg-d-name", f.file + " (" + list.length + " fixtures)");
    setList("fg-d-badges", list, "");
    const blank = ["fg-d-id", "fg-d-scope", "fg-d-impact", "fg-d-loc", "fg-d-used", "fg-d-deps", "fg-d-rdeps"];
    blank.concat(["fg-d-overrides", "fg-d-guards", "fg-d-findings", "fg-d-doc"]).forEach((id) => setText(id, ""));
  }

  /* ---- search ---- */
  function runSearch() {
    const q = search.value.trim().toLowerCase();
    const hits = new Set();
    let n = 0;
    fixtures.forEach((f, i) => {
      const hit = !q || haystack[i].includes(q);
      const tr = rows.get(i);
      if (tr) tr.hidden = !hit;
      if (hit) {
        n += 1;
        if (q && f.node) hits.add(f.node);
      }
    });
    if (svg) {
      svg.classList.toggle("fg-searching", q.length > 0);
      nodeEls.forEach((g, id) => g.classList.toggle("fg-match", hits.has(id)));
    }
    count.textContent = q ? n + " of " + fixtures.length + " fixtures" : fixtures.length + " fixtures";
  }

  /* ---- pan and zoom (viewBox arithmetic, no library) ---- */
  let view = null;
  let home = null;
  let drag = null;
  let moved = false;

  function applyView() {
    svg.setAttribute("viewBox", view.x + " " + view.y + " " + view.w + " " + view.h);
  }

  function toGraph(clientX, clientY) {
    const m = svg.getScreenCTM();
    return new DOMPoint(clientX, clientY).matrixTransform(m.inverse());
  }

  function zoom(factor, clientX, clientY) {
    const r = svg.getBoundingClientRect();
    const p = toGraph(clientX === undefined ? r.left + r.width / 2 : clientX, clientY === undefined ? r.top + r.height / 2 : clientY);
    view = { x: p.x - (p.x - view.x) / factor, y: p.y - (p.y - view.y) / factor, w: view.w / factor, h: view.h / factor };
    applyView();
  }

  function reveal(el) {
    const r = el.getBoundingClientRect();
    const box = svg.getBoundingClientRect();
    if (r.left >= box.left && r.right <= box.right && r.top >= box.top && r.bottom <= box.bottom) return;
    const p = toGraph(r.left + r.width / 2, r.top + r.height / 2);
    view = { x: p.x - view.w / 2, y: p.y - view.h / 2, w: view.w, h: view.h };
    applyView();
  }

  if (svg) {
    const vb = svg.viewBox.baseVal;
    home = { x: vb.x, y: vb.y, w: vb.width, h: vb.height };
    view = Object.assign({}, home);
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
    graph.addEventListener(
      "wheel",
      (e) => {
        e.preventDefault();
        zoom(e.deltaY < 0 ? 1.2 : 1 / 1.2, e.clientX, e.clientY);
      },
      { passive: false }
    );
    graph.addEventListener("pointerdown", (e) => {
      drag = { x: e.clientX, y: e.clientY, view: Object.assign({}, view) };
      moved = false;
    });
    window.addEventListener("pointermove", (e) => {
      if (!drag) return;
      const dx = e.clientX - drag.x;
      const dy = e.clientY - drag.y;
      if (!moved && Math.abs(dx) + Math.abs(dy) < 4) return;
      moved = true;
      graph.classList.add("panning");
      const scale = svg.getScreenCTM().a;
      view = { x: drag.view.x - dx / scale, y: drag.view.y - dy / scale, w: view.w, h: view.h };
      applyView();
    });
    window.addEventListener("pointerup", () => {
      drag = null;
      graph.classList.remove("panning");
    });
    svg.addEventListener("click", (e) => {
      if (moved) return;
      const g = e.target.closest("g.node");
      if (!g || !members.has(g.id)) return;
      const list = members.get(g.id);
      if (list.length === 1 || !data.collapsed) select(list[0], true);
      else showModule(list);
    });
  }

  document.getElementById("fg-zoom-in").addEventListener("click", () => svg && zoom(1.25));
  document.getElementById("fg-zoom-out").addEventListener("click", () => svg && zoom(1 / 1.25));
  document.getElementById("fg-fit").addEventListener("click", () => {
    if (!svg) return;
    view = Object.assign({}, home);
    applyView();
  });
  document.getElementById("fg-clear").addEventListener("click", clearSelection);
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape") clearSelection();
  });
  document.addEventListener("click", (e) => {
    const b = e.target.closest("button.fx[data-fixture]");
    if (b) select(Number(b.dataset.fixture), false);
  });
  search.addEventListener("input", runSearch);

  /* ---- sortable tables ---- */
  function cellKey(cell) {
    return cell.dataset.v !== undefined ? cell.dataset.v : cell.textContent.trim();
  }

  function sortBy(table, col, th) {
    const body = table.tBodies[0];
    const list = Array.from(body.rows).filter((tr) => !tr.classList.contains("empty"));
    const ascending = th.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("th").forEach((h) => h.removeAttribute("aria-sort"));
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    const numeric = th.dataset.type === "num" || list.every((tr) => tr.cells[col] && tr.cells[col].dataset.v !== undefined);
    list.sort((a, b) => {
      const x = cellKey(a.cells[col]);
      const y = cellKey(b.cells[col]);
      const order = numeric ? Number(x) - Number(y) : x.localeCompare(y);
      return ascending ? order : -order;
    });
    list.forEach((tr) => body.appendChild(tr));
  }

  document.querySelectorAll("table.sortable").forEach((table) => {
    table.querySelectorAll("th").forEach((th, col) => {
      th.tabIndex = 0;
      th.addEventListener("click", () => sortBy(table, col, th));
      th.addEventListener("keydown", (e) => {
        if (e.key === "Enter") sortBy(table, col, th);
      });
    });
  });

  runSearch();
  window.fixtureGraph = { select: select, clear: clearSelection, selected: () => selected };
})();
