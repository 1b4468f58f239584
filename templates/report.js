/* fixture-graph report: the graph explorer (Cytoscape.js + dagre), filters, search, paged tables,
   the test view, deep links, keyboard navigation and the theme switch.
   Every piece of text from the scanned suite is set with textContent, never parsed as HTML. */
(function () {
  "use strict";

  const $ = (id) => document.getElementById(id);
  const OVERVIEW_BUDGET = 30; // boxes the first overview may show
  const NEIGHBOURHOOD_LIMIT = 250; // fixtures a neighbourhood or a test's closure may draw
  const PAGE = 50; // table rows per page
  const LIST_LIMIT = 40; // names listed in the detail panel before "n more"
  const ROOT_ORDER = [2, 3, 1, 0, 4]; // ini, autouse, usefixtures, argument, getfixturevalue

  async function load() {
    const island = $("fg-data");
    const bytes = Uint8Array.from(atob(island.textContent.trim()), (c) => c.charCodeAt(0));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return JSON.parse(await new Response(stream).text());
  }

  load().then(start, (err) => {
    $("fg-status").textContent = "The report's data could not be read in this browser: " + err;
    window.fixtureGraph = { ready: false, error: String(err) };
  });

  function start(data) {
    const started = performance.now();
    const F = data.fx;
    const N = F.name.length;
    const G = data.groups;
    const T = data.tests;
    const NT = T.name.length;
    const scopes = data.scopes;
    const kinds = data.kinds;
    const reasons = data.reasons;
    const get = (col, i) => (F[col] && F[col][i] !== undefined ? F[col][i] : null);

    /* ---- the model: ids, files, reverse edges, group members ---- */
    const fileOf = (i) => get("file", i) || G[F.group[i]][0];
    /* a scan path as printed from the working directory (ids keep the scan path) */
    const shownPaths = data.shown || {};
    const pathShown = (path) => (Object.prototype.hasOwnProperty.call(shownPaths, path) ? shownPaths[path] : path);
    const ids = new Array(N);
    const byId = new Map();
    for (let i = 0; i < N; i++) {
      ids[i] = get("id", i) || fileOf(i) + "::" + F.name[i];
      byId.set(ids[i], i);
    }
    const deps = F.deps.map((list) => list.map((e) => (e >= 0 ? e : -1 - e)));
    const rdeps = Array.from({ length: N }, () => []);
    deps.forEach((list, i) => list.forEach((j) => rdeps[j].push(i)));
    const isDynamic = (i, j) => F.deps[i].indexOf(-1 - j) >= 0;
    const cyclePairs = new Set();
    data.cycles.forEach((links) => links.forEach((a, k) => k && cyclePairs.add(links[k - 1] + ">" + a)));
    const groupChain = G.map((_, g) => {
      const chain = [];
      for (let p = g; p >= 0; p = G[p][1]) chain.unshift(p);
      return chain;
    });
    const members = G.map(() => []);
    const childGroups = G.map(() => []);
    const topGroups = [];
    G.forEach((row, g) => (row[1] >= 0 ? childGroups[row[1]].push(g) : topGroups.push(g)));
    for (let i = 0; i < N; i++) groupChain[F.group[i]].forEach((g) => members[g].push(i));
    const fileGroupOf = (i) => F.group[i];
    const testId = (t) => (T.file[t] >= 0 ? data.testFiles[T.file[t]] + "::" + T.name[t] : T.name[t]);
    const testById = new Map();
    for (let t = 0; t < NT; t++) testById.set(testId(t), t);

    /* ---- state ---- */
    const state = {
      mode: "overview",
      expanded: new Set(),
      selected: null, // fixture position
      test: null, // test position
      query: "",
      filters: { scope: "", impact: "", kind: "", dir: "", cond: "" },
      focusNode: null,
    };

    /* ---- filters and search ---- */
    let fixtureHay = null;
    let testHay = null;
    let findingHay = null;
    function hay() {
      if (!fixtureHay) {
        fixtureHay = ids.map((id, i) => (F.name[i] + "\n" + id + "\n" + pathShown(fileOf(i))).toLowerCase());
        testHay = Array.from({ length: NT }, (_, t) => testId(t).toLowerCase());
        findingHay = data.findings.map((f) => (f[0] + "\n" + f[3] + "\n" + f[6] + "\n" + f[7]).toLowerCase());
      }
    }
    function passes(i) {
      const f = state.filters;
      if (f.scope && scopes[F.scope[i]] !== f.scope) return false;
      if (f.impact && F.impact[i] !== f.impact) return false;
      if (f.kind && kinds[F.kind[i]] !== f.kind) return false;
      if (f.dir && groupChain[F.group[i]].indexOf(Number(f.dir)) < 0) return false;
      if (f.cond === "yes" && !(F.flags[i] & 2)) return false;
      if (f.cond === "no" && F.flags[i] & 2) return false;
      return true;
    }
    let shown = null; // Uint8Array: 1 passes the filters, 2 also matches the search
    function recompute() {
      hay();
      const q = state.query;
      shown = new Uint8Array(N);
      for (let i = 0; i < N; i++) if (passes(i)) shown[i] = !q || fixtureHay[i].includes(q) ? 2 : 1;
    }
    const visible = (i) => shown[i] > 0;
    const matches = (i) => shown[i] === 2;

    /* ---- labels ---- */
    function heaviest(list) {
      return list
        .filter(visible)
        .sort((a, b) => F.weight[b] - F.weight[a] || F.used[b] - F.used[a] || a - b)
        .slice(0, 2)
        .map((i) => F.name[i]);
    }
    function groupLabel(g) {
      const list = members[g].filter(visible);
      const hits = state.query ? list.filter(matches).length : 0;
      const name = G[g][2] === "dir" ? G[g][0].replace(/\/$/, "").split("/").pop() + "/" : G[g][0].split("/").pop();
      let text = name + "\n" + list.length + (list.length === 1 ? " fixture" : " fixtures");
      if (hits) text += " \u00b7 " + hits + " match" + (hits === 1 ? "" : "es");
      const top = heaviest(list);
      if (top.length) text += "\n" + top.join(", ");
      return text;
    }
    function fixtureLabel(i) {
      return F.name[i] + "\n" + scopes[F.scope[i]] + (F.impact[i] ? " \u00b7 " + F.impact[i] : "");
    }
    function boxSize(label) {
      const lines = label.split("\n");
      const widest = Math.max(...lines.map((l) => l.length));
      return { w: Math.min(260, Math.max(70, widest * 6.6 + 18)), h: lines.length * 14 + 12 };
    }
    const SCOPE_FILL = {
      session: "#f4a261",
      package: "#f6c76b",
      module: "#e9e98b",
      class: "#a8d8b9",
      function: "#cfe3f5",
      dynamic: "#dddddd",
    };
    const IMPACT_BORDER = { LOW: 1.5, MEDIUM: 2, HIGH: 3, VERY_HIGH: 4.5 };
    const SEVERITY = ["#333333", "#457b9d", "#b4441f", "#d62828"];
    function fixtureNode(i, extra) {
      const label = fixtureLabel(i);
      const size = boxSize(label);
      const classes = ["fixture"];
      if (F.flags[i] & 2) classes.push("cond");
      if (F.flags[i] & 1) classes.push("autouse");
      if (state.query && matches(i)) classes.push("match");
      return {
        group: "nodes",
        data: Object.assign(
          {
            id: "f" + i,
            label: label,
            w: size.w,
            h: size.h,
            fill: SCOPE_FILL[scopes[F.scope[i]]] || "#ffffff",
            bw: F.severity[i] ? 3 : IMPACT_BORDER[F.impact[i]] || 1,
            stroke: SEVERITY[F.severity[i]],
            fx: i,
          },
          extra || {}
        ),
        classes: classes.join(" "),
      };
    }

    /* ---- the graph ---- */
    const container = $("fg-graph");
    const cy = cytoscape({
      container: container,
      minZoom: 0.05,
      maxZoom: 3,
      boxSelectionEnabled: false,
      autoungrabify: true,
      style: graphStyle(),
    });

    function cssVar(name) {
      return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    }
    function graphStyle() {
      const fg = cssVar("--fg") || "#1f2933";
      const edge = cssVar("--edge") || "#5c6670";
      const group = cssVar("--group") || "#e4e7eb";
      const panel = cssVar("--graph-bg") || "#ffffff";
      return [
        {
          selector: "node",
          style: {
            label: "data(label)",
            "text-wrap": "wrap",
            "text-valign": "center",
            "text-halign": "center",
            "font-size": 11,
            "font-family": "system-ui, sans-serif",
            color: "#1f2933",
            shape: "round-rectangle",
          },
        },
        { selector: "node[w]", style: { width: "data(w)", height: "data(h)" } },
        { selector: "node[fill]", style: { "background-color": "data(fill)", "border-width": "data(bw)", "border-color": "data(stroke)" } },
        { selector: "node.group", style: { "background-color": group, color: fg, "border-color": edge, "border-width": 1 } },
        {
          selector: "node.open",
          style: {
            "background-color": group,
            "background-opacity": 0.35,
            "text-valign": "top",
            "text-halign": "center",
            "text-margin-y": -4,
            color: fg,
            "font-weight": "bold",
            "border-style": "dashed",
            "border-color": edge,
            "border-width": 1,
            padding: 12,
          },
        },
        { selector: "node.test", style: { shape: "tag", "background-color": panel, color: fg, "border-color": fg, "border-width": 2 } },
        { selector: "node.cond", style: { "border-style": "dashed" } },
        { selector: "node.autouse", style: { "border-style": "double", "border-width": 4 } },
        { selector: "node.dep", style: { "border-color": cssVar("--dep"), "border-width": 4 } },
        { selector: "node.rdep", style: { "border-color": cssVar("--rdep"), "border-width": 4 } },
        { selector: "node.match", style: { "border-color": cssVar("--match"), "border-width": 5 } },
        { selector: "node.sel", style: { "border-color": cssVar("--sel"), "border-width": 6 } },
        { selector: "node.kbd", style: { "overlay-color": cssVar("--sel"), "overlay-opacity": 0.3, "overlay-padding": 8 } },
        { selector: ".dim", style: { opacity: 0.3 } },
        {
          selector: "edge",
          style: {
            width: "data(width)",
            "curve-style": "bezier",
            "line-color": edge,
            "target-arrow-color": edge,
            "target-arrow-shape": "triangle",
            "arrow-scale": 0.8,
          },
        },
        {
          selector: "edge[label]",
          style: {
            label: "data(label)",
            "font-size": 9,
            color: fg,
            "text-background-color": panel,
            "text-background-opacity": 1,
            "text-background-padding": 1,
          },
        },
        { selector: "edge.dyn", style: { "line-style": "dashed" } },
        { selector: "edge.dep", style: { "line-color": cssVar("--dep"), "target-arrow-color": cssVar("--dep"), width: 2.5 } },
        { selector: "edge.rdep", style: { "line-color": cssVar("--rdep"), "target-arrow-color": cssVar("--rdep"), width: 2.5 } },
        { selector: "edge.cycle", style: { "line-color": "#d62828", "target-arrow-color": "#d62828", width: 3 } },
      ];
    }

    function layout(elements, focus) {
      cy.startBatch();
      cy.elements().remove();
      cy.add(elements);
      cy.endBatch();
      const opts = { name: "dagre", rankDir: "LR", nodeSep: 14, rankSep: 60, edgeSep: 8, fit: true, padding: 24, animate: false };
      try {
        cy.layout(opts).run();
      } catch (err) {
        // dagre cannot always route edges across nested boxes: lay out the boxes inside, and
        // let each open directory wrap its children.
        cy.elements().not(":parent").layout(opts).run();
      }
      if (focus) zoomTo(focus);
      state.focusNode = null;
    }

    function zoomTo(node) {
      if (!node || node.empty()) return;
      if (cy.zoom() < 0.7) cy.zoom({ level: 0.85, position: node.position() });
      cy.center(node);
    }

    /* overview: directories and files as boxes, opened on click */
    function repOf(i) {
      for (const g of groupChain[F.group[i]]) if (!state.expanded.has(g)) return "g" + g;
      return "f" + i;
    }
    function visibleCount(expanded) {
      let count = 0;
      const walk = (g) => {
        if (!members[g].some(visible)) return;
        if (!expanded.has(g)) {
          count += 1;
          return;
        }
        childGroups[g].forEach(walk);
        if (!childGroups[g].length) count += members[g].filter(visible).length;
      };
      topGroups.forEach(walk);
      return count;
    }
    function autoExpand() {
      const expanded = new Set();
      for (;;) {
        const open = [];
        const walk = (g) => {
          if (!members[g].some(visible)) return;
          if (expanded.has(g)) childGroups[g].forEach(walk);
          else if (G[g][2] === "dir") open.push(g); // files stay boxes until clicked
        };
        topGroups.forEach(walk);
        open.sort((a, b) => members[b].length - members[a].length);
        let grown = false;
        for (const g of open) {
          expanded.add(g);
          if (visibleCount(expanded) <= OVERVIEW_BUDGET) {
            grown = true;
            break;
          }
          expanded.delete(g);
        }
        if (!grown) return expanded;
      }
    }
    function drawOverview(focusGroup) {
      state.mode = "overview";
      const nodes = [];
      const seen = new Set();
      const parentOf = (g) => {
        const p = G[g][1];
        return p >= 0 && state.expanded.has(p) ? "g" + p : undefined;
      };
      const addOpen = (g) => {
        if (seen.has("g" + g)) return;
        seen.add("g" + g);
        const p = parentOf(g);
        if (p) addOpen(G[g][1]);
        nodes.push({ group: "nodes", data: { id: "g" + g, label: pathShown(G[g][0]), parent: p, grp: g }, classes: "open" });
      };
      for (let i = 0; i < N; i++) {
        if (!visible(i)) continue;
        const rep = repOf(i);
        if (seen.has(rep)) continue;
        seen.add(rep);
        if (rep[0] === "g") {
          const g = Number(rep.slice(1));
          const label = groupLabel(g);
          const size = boxSize(label);
          const hit = state.query && members[g].some(matches);
          const p = parentOf(g);
          if (p) addOpen(G[g][1]);
          nodes.push({
            group: "nodes",
            data: { id: rep, label: label, w: size.w, h: size.h, parent: p, grp: g },
            classes: "group" + (hit ? " match" : state.query ? " dim" : ""),
          });
        } else {
          const g = F.group[i];
          addOpen(g);
          const node = fixtureNode(i, { parent: "g" + g });
          if (state.query && !matches(i)) node.classes += " dim";
          nodes.push(node);
        }
      }
      const counts = new Map();
      for (let i = 0; i < N; i++) {
        if (!visible(i)) continue;
        const a = repOf(i);
        for (const j of deps[i]) {
          if (!visible(j)) continue;
          const b = repOf(j);
          if (a === b) continue;
          const key = a + " " + b;
          const entry = counts.get(key) || { n: 0, cycle: false, dyn: true };
          entry.n += 1;
          entry.cycle = entry.cycle || cyclePairs.has(i + ">" + j);
          entry.dyn = entry.dyn && isDynamic(i, j);
          counts.set(key, entry);
        }
      }
      const edges = [];
      counts.forEach((entry, key) => {
        const [a, b] = key.split(" ");
        const data = { id: "e" + a + "-" + b, source: a, target: b, width: Math.min(6, 1 + Math.log2(entry.n)) };
        if (entry.n > 1) data.label = String(entry.n);
        const classes = (entry.cycle ? "cycle " : "") + (entry.dyn ? "dyn" : "");
        edges.push({ group: "edges", data: data, classes: classes });
      });
      layout(nodes.concat(edges), focusGroup !== undefined ? cy.getElementById("g" + focusGroup) : null);
      crumbs(focusGroup !== undefined ? groupChain[focusGroup].map((g) => ["group", g]) : []);
      status("Overview: " + nodes.length + " boxes. Click a directory or file to open it, a fixture to see its neighbourhood.");
    }

    /* neighbourhood of a fixture: dependencies and dependents to the chosen depth */
    function neighbourhood(i, depth) {
      const dist = new Map([[i, 0]]);
      const down = new Set();
      const up = new Set();
      let truncated = false;
      const walk = (adj, into) => {
        let frontier = [i];
        for (let d = 1; frontier.length && (depth === 0 || d <= depth); d++) {
          const next = [];
          for (const k of frontier)
            for (const j of adj[k]) {
              if (dist.has(j) || !visible(j)) continue;
              if (dist.size >= NEIGHBOURHOOD_LIMIT) {
                truncated = true;
                continue;
              }
              dist.set(j, d);
              into.add(j);
              next.push(j);
            }
          frontier = next;
        }
      };
      walk(deps, down);
      walk(rdeps, up);
      return { nodes: Array.from(dist.keys()), down: down, up: up, truncated: truncated };
    }
    function fixtureEdges(set, extra) {
      const edges = [];
      set.forEach((i) => {
        for (const j of deps[i]) {
          if (!set.has(j) || i === j) continue;
          const classes = [];
          if (cyclePairs.has(i + ">" + j)) classes.push("cycle");
          if (isDynamic(i, j)) classes.push("dyn");
          if (extra) classes.push(extra(i, j));
          edges.push({ group: "edges", data: { id: "e" + i + "-" + j, source: "f" + i, target: "f" + j, width: 1.2 }, classes: classes.join(" ") });
        }
      });
      return edges;
    }
    function drawNeighbourhood(i) {
      state.mode = "fixture";
      const depth = Number($("fg-depth").value);
      const hood = neighbourhood(i, depth);
      const set = new Set(hood.nodes);
      const nodes = hood.nodes.map((j) => {
        const node = fixtureNode(j);
        node.classes += j === i ? " sel" : hood.down.has(j) ? " dep" : hood.up.has(j) ? " rdep" : "";
        return node;
      });
      const edges = fixtureEdges(set, (a, b) => (hood.down.has(b) && (a === i || hood.down.has(a)) ? "dep" : hood.up.has(a) && (b === i || hood.up.has(b)) ? "rdep" : ""));
      layout(nodes.concat(edges), cy.getElementById("f" + i));
      crumbs(groupChain[F.group[i]].map((g) => ["group", g]).concat([["fixture", i]]));
      const d = depth === 0 ? "all" : depth;
      status(
        F.name[i] + ": " + hood.down.size + " dependencies and " + hood.up.size + " dependents (depth " + d + ")" +
          (hood.truncated ? "; the view stops at " + NEIGHBOURHOOD_LIMIT + " fixtures, lower the depth to see the rest" : "")
      );
    }

    /* ---- breadcrumb and status ---- */
    function crumbs(path) {
      const ol = $("fg-crumbs");
      ol.replaceChildren();
      const item = (text, action, current) => {
        const li = document.createElement("li");
        if (current) {
          const span = document.createElement("span");
          span.textContent = text;
          span.setAttribute("aria-current", "page");
          li.append(span);
        } else {
          const b = document.createElement("button");
          b.type = "button";
          b.className = "link";
          b.textContent = text;
          b.addEventListener("click", action);
          li.append(b);
        }
        ol.append(li);
      };
      item("Overview", () => showOverview(), !path.length);
      path.forEach(([kind, value], k) => {
        const last = k === path.length - 1;
        if (kind === "group") item(pathShown(G[value][0]), () => openGroup(value), last);
        else if (kind === "fixture") item(F.name[value], () => selectFixture(value), last);
        else item(value, () => {}, true);
      });
    }
    function status(text) {
      $("fg-status").textContent = text;
    }

    /* ---- actions ---- */
    function showOverview(keepHash) {
      state.selected = null;
      state.test = null;
      hideDetail();
      drawOverview();
      if (!keepHash) setHash("");
    }
    function openGroup(g) {
      state.selected = null;
      state.test = null;
      hideDetail();
      groupChain[g].forEach((p) => state.expanded.add(p));
      drawOverview(g);
      setHash("");
    }
    function toggleGroup(g) {
      if (state.expanded.has(g)) {
        state.expanded.delete(g);
        childGroups[g].forEach(function close(c) {
          state.expanded.delete(c);
          childGroups[c].forEach(close);
        });
      } else state.expanded.add(g);
      drawOverview(g);
    }
    function selectFixture(i, noHash) {
      state.selected = i;
      state.test = null;
      drawNeighbourhood(i);
      showFixture(i);
      if (!noHash) setHash("fixture=" + encodeURIComponent(ids[i]));
      tables.fixtures.mark(i);
    }
    function selectTest(t, noHash) {
      state.test = t;
      state.selected = null;
      showTest(t);
      if (!noHash) setHash("test=" + encodeURIComponent(testId(t)));
    }
    function setHash(text) {
      const url = location.href.split("#")[0] + (text ? "#" + text : "");
      try {
        history.replaceState(null, "", url);
      } catch (err) {
        location.hash = text;
      }
    }

    cy.on("tap", "node", (evt) => activate(evt.target));
    function activate(node) {
      const d = node.data();
      if (node.hasClass("open")) toggleGroup(d.grp);
      else if (node.hasClass("group")) toggleGroup(d.grp);
      else if (d.fx !== undefined) selectFixture(d.fx);
    }

    /* ---- the detail panel ---- */
    function hideDetail() {
      $("fg-detail-body").hidden = true;
      $("fg-test-body").hidden = true;
      $("fg-detail-empty").hidden = false;
    }
    function setText(id, text) {
      $(id).textContent = text;
    }
    function fixtureButton(i) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "fx";
      b.dataset.fixture = String(i);
      b.textContent = F.name[i];
      b.title = ids[i];
      return b;
    }
    function setList(id, list, empty) {
      const dd = $(id);
      dd.replaceChildren();
      if (!list.length) {
        dd.textContent = empty;
        return;
      }
      list.slice(0, LIST_LIMIT).forEach((i, n) => {
        if (n) dd.append(", ");
        dd.append(fixtureButton(i));
      });
      if (list.length > LIST_LIMIT) dd.append(" and " + (list.length - LIST_LIMIT) + " more");
    }
    function showFixture(i) {
      $("fg-detail-empty").hidden = true;
      $("fg-test-body").hidden = true;
      $("fg-detail-body").hidden = false;
      setText("fg-d-name", F.name[i]);
      const flags = F.flags[i];
      const badges = [kinds[F.kind[i]]];
      if (flags & 1) badges.push("autouse");
      if (flags & 2) badges.push("conditional");
      if (flags & 4) badges.push("yield");
      if (flags & 8) badges.push("async");
      if (get("params", i)) badges.push("params: " + get("params", i));
      setText("fg-d-badges", badges.join(" \u00b7 "));
      setText("fg-d-id", ids[i]);
      setText("fg-d-scope", scopes[F.scope[i]] + (get("scopeSource", i) ? " (" + get("scopeSource", i) + ")" : ""));
      const impact = F.impact[i]
        ? F.impact[i] + " (weight " + F.weight[i] + ")" + (get("impactDescription", i) ? ": " + get("impactDescription", i) : "")
        : "untagged";
      setText("fg-d-impact", impact + (get("measured", i) ? " \u00b7 measured: " + get("measured", i) : ""));
      setText("fg-d-loc", pathShown(fileOf(i)) + ":" + F.line[i] + (get("registeredIn", i) ? " (registered in " + get("registeredIn", i) + ")" : ""));
      setText("fg-d-used", F.used[i] + (F.used[i] === 1 ? " test" : " tests"));
      setList("fg-d-deps", Array.from(new Set(deps[i])), "nothing");
      setList("fg-d-rdeps", rdeps[i], "no fixture");
      const chain = get("overrides", i);
      setText("fg-d-overrides", chain ? chain.join("  \u2192  ") : "overrides nothing, not overridden");
      const guards = get("guards", i);
      setText("fg-d-guards", guards ? guards.join("; ") : flags & 2 ? "conditional" : "none");
      const findings = get("findings", i);
      setText("fg-d-findings", findings ? findings.join("\n") : "none");
      setText("fg-d-doc", get("doc", i) || "");
    }

    /* ---- the test view: the closure as a tree, with why each fixture is there ---- */
    function testContext(t) {
      const ctx = data.contexts[T.ctx[t]];
      const params = T.params[String(t)] || [[], []];
      return { autouse: ctx[0], winners: new Map(ctx[1]), direct: new Set(params[0]), indirect: new Set(params[1]) };
    }
    function testRoots(t, ctx) {
      const roots = T.roots[t].map((v) => ({ fx: Math.floor(v / 8), reason: v % 8 }));
      ctx.autouse.forEach((p) => roots.push({ fx: p, reason: 3 }));
      roots.sort((a, b) => ROOT_ORDER.indexOf(a.reason) - ROOT_ORDER.indexOf(b.reason) || F.name[a.fx].localeCompare(F.name[b.fx]));
      return roots;
    }
    function childrenIn(d, ctx) {
      const byName = new Map();
      for (const j of deps[d]) {
        const name = F.name[j];
        if (!byName.has(name)) byName.set(name, []);
        byName.get(name).push(j);
      }
      const out = [];
      byName.forEach((candidates, name) => {
        if (ctx.direct.has(name)) {
          out.push({ param: name });
          return;
        }
        let pick = candidates[0];
        if (candidates.length > 1 && name !== F.name[d] && ctx.winners.has(name) && candidates.indexOf(ctx.winners.get(name)) >= 0) {
          pick = ctx.winners.get(name);
        }
        out.push({ fx: pick, dynamic: isDynamic(d, pick), override: name === F.name[d] });
      });
      return out;
    }
    function closureOf(t) {
      const ctx = testContext(t);
      const seen = new Set();
      // pytest's static closure (item.fixturenames): getfixturevalue links are set up at run time.
      const stack = testRoots(t, ctx).filter((r) => r.reason !== 4).map((r) => r.fx);
      while (stack.length) {
        const i = stack.pop();
        if (seen.has(i)) continue;
        seen.add(i);
        childrenIn(i, ctx).forEach((c) => c.fx !== undefined && !c.dynamic && stack.push(c.fx));
      }
      return seen;
    }
    function reasonText(t, root, ctx) {
      const name = F.name[root.fx];
      const why = [
        "requested by the test (argument)",
        "usefixtures mark on the test, its class or module",
        "usefixtures in the ini file",
        "autouse, from " + pathShown(fileOf(root.fx)),
        "request.getfixturevalue in the test",
      ][root.reason];
      return why + (ctx.indirect.has(name) ? "; parametrized indirectly (request.param)" : "");
    }
    function showTest(t) {
      $("fg-detail-empty").hidden = true;
      $("fg-detail-body").hidden = true;
      $("fg-test-body").hidden = false;
      const nodeid = testId(t);
      setText("fg-t-name", nodeid);
      const ctx = testContext(t);
      const closure = closureOf(t);
      const facts = [closure.size + " fixtures in the closure"];
      if (T.weight[t]) facts.push("weight " + T.weight[t] + " " + data.weightUnit);
      if (ctx.direct.size) facts.push("parametrized: " + Array.from(ctx.direct).join(", "));
      const guards = T.guards[String(t)];
      if (guards) facts.push("only if " + guards.join("; "));
      setText("fg-t-facts", facts.join(" \u00b7 "));
      const tree = $("fg-t-tree");
      tree.replaceChildren();
      const placed = new Set();
      const roots = testRoots(t, ctx);
      roots.forEach((r) => tree.append(treeItem(r.fx, reasonText(t, r, ctx), ctx, placed, 1)));
      ctx.direct.forEach((name) => tree.append(paramItem(name, "the test")));
      drawTest(t, closure, roots);
      crumbs([["test", nodeid]]);
    }
    function paramItem(name, by) {
      const li = document.createElement("li");
      li.setAttribute("role", "treeitem");
      li.className = "param";
      li.textContent = name + ": parametrized directly by " + by + "'s @pytest.mark.parametrize (no fixture is set up)";
      return li;
    }
    function treeItem(i, why, ctx, placed, level) {
      const li = document.createElement("li");
      li.setAttribute("role", "treeitem");
      li.setAttribute("aria-level", String(level));
      const row = document.createElement("div");
      row.className = "row";
      const repeat = placed.has(i);
      placed.add(i);
      const kids = repeat ? [] : childrenIn(i, ctx);
      const toggle = document.createElement("button");
      toggle.type = "button";
      toggle.className = "toggle";
      toggle.setAttribute("aria-label", "show what " + F.name[i] + " requests");
      toggle.textContent = kids.length ? "\u25b8" : "\u00b7";
      toggle.disabled = !kids.length;
      row.append(toggle, fixtureButton(i));
      const scope = document.createElement("span");
      scope.className = "scope scope-" + scopes[F.scope[i]];
      scope.textContent = scopes[F.scope[i]];
      const reason = document.createElement("span");
      reason.className = "why";
      reason.textContent = why + (repeat ? " (already listed above)" : "");
      row.append(" ", scope, " ", reason);
      li.append(row);
      if (kids.length) {
        const ul = document.createElement("ul");
        ul.setAttribute("role", "group");
        let filled = false;
        const open = (yes) => {
          if (yes && !filled) {
            filled = true;
            kids.forEach((c) => {
              if (c.param !== undefined) ul.append(paramItem(c.param, "the test"));
              else {
                const text = c.override
                  ? "requested by " + F.name[i] + ", which overrides it (the farther definition)"
                  : c.dynamic
                    ? "request.getfixturevalue in " + F.name[i] + " (at run time, outside the static closure)"
                    : "requested by " + F.name[i];
                ul.append(treeItem(c.fx, text, ctx, placed, level + 1));
              }
            });
          }
          ul.hidden = !yes;
          li.setAttribute("aria-expanded", String(yes));
          toggle.textContent = yes ? "\u25be" : "\u25b8";
        };
        toggle.addEventListener("click", () => open(ul.hidden));
        li.append(ul);
        open(level < 2);
      }
      return li;
    }
    function drawTest(t, closure, roots) {
      state.mode = "test";
      let list = Array.from(closure);
      let note = "";
      if (list.length > NEIGHBOURHOOD_LIMIT) {
        const keep = new Set(roots.map((r) => r.fx));
        roots.forEach((r) => deps[r.fx].forEach((j) => closure.has(j) && keep.add(j)));
        list = Array.from(keep).slice(0, NEIGHBOURHOOD_LIMIT);
        note = "; the graph shows its " + list.length + " first links, the tree lists them all";
      }
      const set = new Set(list);
      const label = "test\n" + T.name[t].split("::").pop();
      const size = boxSize(label);
      const nodes = [{ group: "nodes", data: { id: "test", label: label, w: size.w, h: size.h }, classes: "test" }];
      list.forEach((i) => nodes.push(fixtureNode(i)));
      const edges = roots
        .filter((r) => set.has(r.fx))
        .map((r) => ({ group: "edges", data: { id: "et" + r.fx, source: "test", target: "f" + r.fx, width: 1.5 }, classes: r.reason === 4 ? "dyn" : "" }));
      layout(nodes.concat(fixtureEdges(set)).concat(edges), cy.getElementById("test"));
      status(testId(t) + ": " + closure.size + " fixtures" + note);
    }

    /* ---- keyboard: arrows move between boxes, Enter opens, Escape goes back ---- */
    function setFocusNode(node) {
      cy.nodes(".kbd").removeClass("kbd");
      state.focusNode = node;
      if (!node) return;
      node.addClass("kbd");
      const text = node.data("label").replace(/\n/g, ", ");
      status("focused: " + text);
      const box = node.renderedBoundingBox();
      if (box.x1 < 0 || box.y1 < 0 || box.x2 > cy.width() || box.y2 > cy.height()) cy.center(node);
    }
    function moveFocus(dx, dy) {
      const nodes = cy.nodes().filter((n) => !n.isParent() || n.hasClass("open"));
      if (!nodes.length) return;
      const current = state.focusNode && state.focusNode.inside() ? state.focusNode : null;
      if (!current) {
        const sel = cy.nodes(".sel");
        setFocusNode(sel.length ? sel[0] : nodes[0]);
        return;
      }
      const p = current.position();
      let best = null;
      let bestScore = Infinity;
      nodes.forEach((n) => {
        if (n === current) return;
        const q = n.position();
        const along = (q.x - p.x) * dx + (q.y - p.y) * dy;
        if (along <= 1) return;
        const across = Math.abs((q.x - p.x) * dy) + Math.abs((q.y - p.y) * dx);
        const score = along + 2 * across;
        if (score < bestScore) {
          bestScore = score;
          best = n;
        }
      });
      if (best) setFocusNode(best);
    }
    container.addEventListener("keydown", (e) => {
      const keys = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
      if (keys[e.key]) {
        e.preventDefault();
        moveFocus(keys[e.key][0], keys[e.key][1]);
      } else if ((e.key === "Enter" || e.key === " ") && state.focusNode) {
        e.preventDefault();
        activate(state.focusNode);
      } else if (e.key === "+" || e.key === "=") cy.zoom({ level: cy.zoom() * 1.25, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
      else if (e.key === "-") cy.zoom({ level: cy.zoom() / 1.25, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
      else if (e.key === "0") cy.fit(undefined, 24);
    });
    container.addEventListener("focus", () => {
      if (!state.focusNode) moveFocus(1, 0);
    });
    document.addEventListener("keydown", (e) => {
      const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement;
      if (e.key === "/" && !typing) {
        e.preventDefault();
        search.focus();
      } else if (e.key === "Escape") {
        if (e.target === search && search.value) {
          search.value = "";
          runSearch();
        } else if (state.mode !== "overview") showOverview();
      }
    });

    /* ---- toolbar ---- */
    $("fg-overview").addEventListener("click", () => showOverview());
    $("fg-fit").addEventListener("click", () => cy.fit(undefined, 24));
    $("fg-zoom-in").addEventListener("click", () => cy.zoom({ level: cy.zoom() * 1.25, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } }));
    $("fg-zoom-out").addEventListener("click", () => cy.zoom({ level: cy.zoom() / 1.25, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } }));
    $("fg-depth").addEventListener("change", () => state.selected !== null && drawNeighbourhood(state.selected));
    document.addEventListener("click", (e) => {
      const b = e.target.closest("button.fx[data-fixture]");
      if (b) selectFixture(Number(b.dataset.fixture));
      const tb = e.target.closest("button.fx[data-test]");
      if (tb) selectTest(Number(tb.dataset.test));
    });

    /* filters */
    function fillSelect(id, options) {
      const select = $(id);
      if (!select) return;
      options.forEach(([value, text]) => {
        const o = document.createElement("option");
        o.value = value;
        o.textContent = text;
        select.append(o);
      });
    }
    const present = (col, names) => names.filter((_, k) => F[col].indexOf(k) >= 0);
    fillSelect("fg-f-scope", present("scope", scopes).map((s) => [s, s]));
    fillSelect("fg-f-impact", data.impacts.filter((l) => F.impact.indexOf(l) >= 0).map((l) => [l, l]));
    fillSelect("fg-f-kind", present("kind", kinds).map((k) => [k, k]));
    fillSelect("fg-f-dir", G.map((row, g) => [g, row]).filter(([, row]) => row[2] !== "conftest" && row[2] !== "module").map(([g, row]) => [String(g), pathShown(row[0])]));
    fillSelect("fg-f-code", Array.from(new Set(data.findings.map((f) => f[0]))).sort().map((c) => [c, c]));
    const filterIds = { scope: "fg-f-scope", impact: "fg-f-impact", kind: "fg-f-kind", dir: "fg-f-dir", cond: "fg-f-cond" };
    Object.entries(filterIds).forEach(([key, id]) => {
      const select = $(id);
      if (select) select.addEventListener("change", () => {
        state.filters[key] = select.value;
        refresh();
      });
    });
    $("fg-f-reset").addEventListener("click", () => {
      Object.entries(filterIds).forEach(([key, id]) => {
        if ($(id)) $(id).value = "";
        state.filters[key] = "";
      });
      refresh();
    });
    ["fg-f-code", "fg-f-sev"].forEach((id) => $(id).addEventListener("change", () => tables.findings.render(true)));

    /* ---- tables: filtered, sorted and paged from the data ---- */
    function cell(tr, content, cls) {
      const td = document.createElement("td");
      if (cls) td.className = cls;
      if (content instanceof Node) td.append(content);
      else td.textContent = content === null || content === undefined ? "" : String(content);
      tr.append(td);
      return td;
    }
    function badge(text, cls) {
      const span = document.createElement("span");
      span.className = "badge" + (cls ? " " + cls : "");
      span.textContent = text;
      return span;
    }
    function makeTable(id, rows, keyOf, renderRow, defaultSort) {
      const table = $(id);
      if (!table) return { render: () => {}, mark: () => {}, count: () => 0 };
      const heads = Array.from(table.tHead.rows[0].cells);
      const sort = { key: defaultSort ? defaultSort[0] : null, dir: defaultSort ? defaultSort[1] : 1 };
      let page = 0;
      let list = [];
      let marked = null;
      const pager = document.createElement("nav");
      pager.className = "pager";
      pager.setAttribute("aria-label", table.id + " pages");
      const prev = document.createElement("button");
      prev.type = "button";
      prev.textContent = "\u2039 previous";
      const next = document.createElement("button");
      next.type = "button";
      next.textContent = "next \u203a";
      const where = document.createElement("span");
      where.className = "count";
      pager.append(prev, " ", where, " ", next);
      table.after(pager);
      prev.addEventListener("click", () => {
        page = Math.max(0, page - 1);
        draw();
      });
      next.addEventListener("click", () => {
        page += 1;
        draw();
      });
      heads.forEach((th) => {
        th.tabIndex = 0;
        th.setAttribute("role", "columnheader");
        const go = () => {
          const key = th.dataset.key;
          sort.dir = sort.key === key ? -sort.dir : th.hasAttribute("data-num") ? -1 : 1;
          sort.key = key;
          heads.forEach((h) => h.removeAttribute("aria-sort"));
          th.setAttribute("aria-sort", sort.dir > 0 ? "ascending" : "descending");
          render(false);
        };
        th.addEventListener("click", go);
        th.addEventListener("keydown", (e) => {
          if (e.key === "Enter" || e.key === " ") {
            e.preventDefault();
            go();
          }
        });
        if (defaultSort && th.dataset.key === sort.key) th.setAttribute("aria-sort", sort.dir > 0 ? "ascending" : "descending");
      });
      function render(resetPage) {
        list = rows();
        if (sort.key) {
          const key = sort.key;
          const values = new Map(list.map((r) => [r, keyOf(r, key)]));
          list.sort((a, b) => {
            const x = values.get(a);
            const y = values.get(b);
            const order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
            return sort.dir * order || (a < b ? -1 : a > b ? 1 : 0);
          });
        }
        if (resetPage !== false) page = 0;
        draw();
      }
      function draw() {
        const pages = Math.max(1, Math.ceil(list.length / PAGE));
        page = Math.min(page, pages - 1);
        const body = table.tBodies[0];
        body.replaceChildren();
        const slice = list.slice(page * PAGE, page * PAGE + PAGE);
        slice.forEach((r) => {
          const tr = renderRow(r);
          if (marked === r) tr.classList.add("selected");
          body.append(tr);
        });
        if (!slice.length) {
          const tr = document.createElement("tr");
          tr.className = "empty";
          const td = cell(tr, table.dataset.empty || "Nothing to show.");
          td.colSpan = heads.length;
          body.append(tr);
        }
        const first = list.length ? page * PAGE + 1 : 0;
        where.textContent = "rows " + first + "\u2013" + Math.min(list.length, (page + 1) * PAGE) + " of " + list.length + (pages > 1 ? " (page " + (page + 1) + " of " + pages + ")" : "");
        prev.disabled = page === 0;
        next.disabled = page >= pages - 1;
        pager.hidden = pages <= 1 && list.length <= PAGE;
      }
      return {
        render: render,
        count: () => list.length,
        mark: (r) => {
          marked = r;
          const at = list.indexOf(r);
          if (at >= 0) page = Math.floor(at / PAGE);
          draw();
        },
      };
    }
    const range = (n) => Array.from({ length: n }, (_, k) => k);
    const where = (i) => pathShown(fileOf(i)) + ":" + F.line[i];
    const impactOrder = (i) => F.weight[i];
    const guardBadges = (list, conditional) => {
      const span = document.createElement("span");
      (list || []).forEach((g) => span.append(badge("if " + g, "guard")));
      if (conditional && !(list && list.length)) span.append(badge("conditional", "guard"));
      return span;
    };
    const scopePill = (i) => {
      const s = document.createElement("span");
      s.className = "scope scope-" + scopes[F.scope[i]];
      s.textContent = scopes[F.scope[i]];
      return s;
    };
    const impactOn = !data.impactNote;
    const fixtureKey = (i, key) =>
      ({ name: F.name[i], scope: F.scope[i], impact: impactOrder(i), used: F.used[i], deps: deps[i].length, rdeps: rdeps[i].length, where: where(i), notes: F.flags[i] })[key];
    const tables = {
      findings: makeTable(
        "fg-t-findings",
        () => {
          const code = $("fg-f-code").value;
          const sev = Number($("fg-f-sev").value || 0);
          const q = state.query;
          return range(data.findings.length).filter((k) => {
            const f = data.findings[k];
            return (!code || f[0] === code) && (!sev || f[1] === sev) && (!q || findingHay[k].includes(q)) && (f[5] < 0 || visible(f[5]));
          });
        },
        (k, key) => {
          const f = data.findings[k];
          return { severity: f[1], code: f[0], where: f[3] + ":" + String(f[4]).padStart(6, "0"), symbol: f[6], message: f[7] }[key];
        },
        (k) => {
          const f = data.findings[k];
          const tr = document.createElement("tr");
          tr.className = "sev-" + f[2];
          const sev = document.createElement("span");
          sev.className = "sev";
          sev.textContent = f[2];
          cell(tr, sev);
          cell(tr, f[0]);
          cell(tr, f[3] + ":" + f[4], "loc");
          cell(tr, f[5] >= 0 ? fixtureButton(f[5]) : f[6]);
          const td = cell(tr, f[7]);
          if (f[8]) {
            const fix = document.createElement("div");
            fix.className = "fix";
            fix.textContent = "fix: " + f[8];
            td.append(fix);
          }
          return tr;
        },
        null
      ),
      fixtures: makeTable(
        "fg-t-fixtures",
        () => range(N).filter(matches),
        fixtureKey,
        (i) => {
          const tr = document.createElement("tr");
          tr.dataset.row = String(i);
          cell(tr, fixtureButton(i));
          cell(tr, scopePill(i));
          if (impactOn) cell(tr, F.impact[i]);
          cell(tr, F.used[i]);
          cell(tr, new Set(deps[i]).size);
          cell(tr, rdeps[i].length);
          cell(tr, where(i), "loc");
          const notes = guardBadges(get("guards", i), F.flags[i] & 2);
          if (F.flags[i] & 1) notes.prepend(badge("autouse"));
          if (!(F.flags[i] & 16)) notes.prepend(badge(kinds[F.kind[i]]));
          cell(tr, notes);
          return tr;
        },
        null
      ),
      tests: makeTable(
        "fg-t-alltests",
        () => {
          const q = state.query;
          if (!q) return range(NT);
          const out = [];
          for (let t = 0; t < NT; t++) if (testHay[t].includes(q)) out.push(t);
          return out;
        },
        (t, key) => ({ nodeid: testHay[t], size: T.size[t], weight: T.weight[t], guards: T.guards[String(t)] ? 1 : 0 })[key],
        (t) => {
          const tr = document.createElement("tr");
          const b = document.createElement("button");
          b.type = "button";
          b.className = "fx";
          b.dataset.test = String(t);
          b.textContent = testId(t);
          cell(tr, b, "loc");
          cell(tr, T.size[t]);
          if (impactOn) cell(tr, T.weight[t]);
          cell(tr, guardBadges(T.guards[String(t)], false));
          return tr;
        },
        impactOn ? ["weight", -1] : null
      ),
      session: makeTable(
        "fg-t-session",
        () => range(N).filter((i) => matches(i) && scopes[F.scope[i]] === "session" && F.flags[i] & 16),
        fixtureKey,
        (i) => {
          const tr = document.createElement("tr");
          cell(tr, fixtureButton(i));
          cell(tr, F.used[i]);
          if (impactOn) cell(tr, F.impact[i]);
          cell(tr, rdeps[i].length);
          cell(tr, where(i), "loc");
          cell(tr, guardBadges(get("guards", i), false));
          return tr;
        },
        ["used", -1]
      ),
      chains: makeTable(
        "fg-t-chains",
        () => range(data.chains.length).filter((k) => !state.query || data.chains[k][1].some((i) => typeof i === "number" && matches(i))),
        (k, key) => ({ weight: data.chains[k][0], links: data.chains[k][1].length, chain: k })[key],
        (k) => {
          const [weight, links] = data.chains[k];
          const tr = document.createElement("tr");
          cell(tr, weight);
          cell(tr, links.length);
          const td = cell(tr, "", "chain");
          links.forEach((i, n) => {
            if (n) td.append(" \u2192 ");
            td.append(typeof i === "number" ? fixtureButton(i) : String(i));
          });
          return tr;
        },
        null
      ),
      issues: makeTable(
        "fg-t-issues",
        () => range(data.issues.length).filter((k) => !state.query || data.issues[k].join("\n").toLowerCase().includes(state.query)),
        (k, key) => ({ where: data.issues[k][0] + ":" + data.issues[k][1], code: data.issues[k][2], message: data.issues[k][3] })[key],
        (k) => {
          const tr = document.createElement("tr");
          cell(tr, data.issues[k][0] + ":" + data.issues[k][1], "loc");
          cell(tr, data.issues[k][2]);
          cell(tr, data.issues[k][3]);
          return tr;
        },
        null
      ),
    };

    /* ---- search: filters the graph and every table ---- */
    const search = $("fg-search");
    function counts() {
      const fixtures = tables.fixtures.count();
      const tests = tables.tests.count();
      const total = range(N).filter(visible).length;
      setText("fg-fixture-count", state.query ? fixtures + " of " + total : String(total));
      setText("fg-test-count", state.query ? tests + " of " + NT : String(NT));
      setText("fg-findings-count", String(tables.findings.count()));
      setText("fg-session-count", tables.session.count() + " / " + data.sessionBudget);
      setText(
        "fg-count",
        state.query ? fixtures + " of " + total + " fixtures, " + tests + " tests" : total + " fixtures, " + NT + " tests"
      );
    }
    function refresh(searchOnly) {
      recompute();
      Object.values(tables).forEach((t) => t.render(true));
      counts();
      if (searchOnly) return markGraph();
      if (state.mode === "fixture" && state.selected !== null) drawNeighbourhood(state.selected);
      else if (state.mode === "test" && state.test !== null) drawTest(state.test, closureOf(state.test), testRoots(state.test, testContext(state.test)));
      else drawOverview();
    }
    // The search only marks what is drawn (no new layout, so it answers at once).
    function markGraph() {
      const q = state.query;
      cy.batch(() => {
        cy.nodes().forEach((node) => {
          const d = node.data();
          let hit = false;
          if (d.fx !== undefined) hit = matches(d.fx);
          else if (d.grp !== undefined && !node.hasClass("open")) hit = members[d.grp].some(matches);
          else return;
          node.toggleClass("match", Boolean(q) && hit);
          node.toggleClass("dim", Boolean(q) && !hit && state.mode === "overview");
        });
      });
      if (q) {
        const boxes = cy.nodes(".match").length;
        status(boxes + (boxes === 1 ? " box holds" : " boxes hold") + " a match for \u201c" + search.value.trim() + "\u201d (Enter opens the first)");
      }
    }
    function runSearch() {
      state.query = search.value.trim().toLowerCase();
      refresh(true);
    }
    search.addEventListener("input", runSearch);
    search.addEventListener("keydown", (e) => {
      if (e.key !== "Enter") return;
      const first = range(N).find((i) => matches(i) && state.query);
      if (first !== undefined) selectFixture(first);
      else if (state.query) {
        const t = range(NT).find((k) => testHay[k].includes(state.query));
        if (t !== undefined) selectTest(t);
      }
    });

    /* ---- theme ---- */
    const themeButton = $("fg-theme");
    const THEMES = ["auto", "light", "dark"];
    function applyTheme(theme) {
      if (theme === "auto") delete document.documentElement.dataset.theme;
      else document.documentElement.dataset.theme = theme;
      themeButton.textContent = "theme: " + theme;
      themeButton.setAttribute("aria-pressed", String(theme !== "auto"));
      cy.style(graphStyle());
    }
    themeButton.addEventListener("click", () => {
      const now = document.documentElement.dataset.theme || "auto";
      applyTheme(THEMES[(THEMES.indexOf(now) + 1) % THEMES.length]);
    });
    window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => cy.style(graphStyle()));

    /* ---- deep links ---- */
    function followHash() {
      const hash = decodeURIComponent(location.hash.replace(/^#/, ""));
      if (hash.startsWith("fixture=")) {
        const i = byId.has(hash.slice(8)) ? byId.get(hash.slice(8)) : F.name.indexOf(hash.slice(8));
        if (i >= 0) return selectFixture(i, true), true;
      } else if (hash.startsWith("test=")) {
        const t = testById.get(hash.slice(5));
        if (t !== undefined) return selectTest(t, true), true;
      }
      return false;
    }
    window.addEventListener("hashchange", () => followHash() || showOverview(true));

    /* ---- start ---- */
    recompute();
    state.expanded = autoExpand();
    Object.values(tables).forEach((t) => t.render(true));
    counts();
    if (!followHash()) {
      if (data.open.fixture && byId.has(data.open.fixture)) selectFixture(byId.get(data.open.fixture));
      else if (data.open.test && testById.has(data.open.test)) selectTest(testById.get(data.open.test));
      else drawOverview();
    }
    window.fixtureGraph = {
      ready: true,
      openedIn: performance.now() - started,
      cy: cy,
      ids: ids,
      testId: testId,
      selectFixture: (id) => selectFixture(byId.get(id)),
      selectTest: (nodeid) => selectTest(testById.get(nodeid)),
      closureOf: (nodeid) => Array.from(closureOf(testById.get(nodeid))).map((i) => ids[i]).sort(),
      state: () => ({ mode: state.mode, selected: state.selected === null ? null : ids[state.selected], test: state.test === null ? null : testId(state.test), expanded: Array.from(state.expanded).map((g) => G[g][0]) }),
      visibleNodes: () => cy.nodes().map((n) => n.id()),
      overview: () => showOverview(),
    };
  }
})();
