// Shortflow web app: one script for every page (service/webapp/routes.py serves the shell).
// It talks to the service only through the public GraphQL endpoint, as a third-party frontend
// would: GET /graphql with automatic persisted queries (the SHA-256 of the document, computed
// with crypto.subtle; the text is sent once when the service does not know the hash yet).
// Everything read from the URL or the API goes into the page as text (textContent), never as
// markup. Charts: uPlot (vendored, static/uPlot.iife.min.js).
"use strict";

(function () {
  var KEY_STORE = "shortflow.apiKey";
  var main = document.getElementById("main");
  var charts = [];
  var state = { key: sessionStorage.getItem(KEY_STORE), keyRequired: false, hashes: new Map() };

  // ---------------------------------------------------------------- DOM and formatting helpers

  function h(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (name) {
        var value = attrs[name];
        if (value === null || value === undefined || value === false) return;
        if (name === "text") node.textContent = value;
        else if (name === "class") node.className = value;
        else if (name.slice(0, 2) === "on") node.addEventListener(name.slice(2), value);
        else node.setAttribute(name, value === true ? "" : value);
      });
    }
    for (var i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }

  function append(node, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) child.forEach(function (c) { append(node, c); });
    else node.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }

  var intFmt = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
  var numFmt = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });
  var compactFmt = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 2 });

  function dash(v) { return v === null || v === undefined; }
  function int(v) { return dash(v) ? "–" : intFmt.format(v); }
  function num(v) { return dash(v) ? "–" : numFmt.format(v); }
  function pct(v) { return dash(v) ? "–" : numFmt.format(v) + "%"; }
  function usd(v) {
    if (dash(v)) return "–";
    return (v < 0 ? "-$" : "$") + compactFmt.format(Math.abs(v));
  }
  function shares(v) { return dash(v) ? "–" : compactFmt.format(v); }
  function ts(day) { return Date.parse(day + "T00:00:00Z") / 1000; }
  function today() { return new Date().toISOString().slice(0, 10); }

  // The page's content: replaces what main held (null and false children are left out).
  function show() {
    main.replaceChildren();
    for (var i = 0; i < arguments.length; i++) append(main, arguments[i]);
  }

  function setTitle(text) { document.title = text + " · Shortflow"; }

  function query() { return new URLSearchParams(location.search); }

  // Flag meanings, as docs/product.md defines them (shown on hover and focus).
  var FLAGS = {
    EXTREME_CHANGE: "Short interest changed by 90% or more from the previous settlement date.",
    DAYS_TO_COVER_UNDEFINED: "Average daily volume was 0: days to cover is unknown, not large.",
    DAYS_TO_COVER_CAPPED: "FINRA's cap of 999.99 days to cover: the true figure is at least that.",
    EXCEEDS_FLOAT: "More shares are short than the float.",
    SPLIT: "A stock split happened in the settlement cycle.",
    REVISED: "This value replaced an earlier published value of the same date.",
    STALE_FLOAT: "The float used is older than 180 days.",
    FLOAT_ESTIMATED: "The float is derived, not reported.",
  };

  function flagChip(flag) {
    return h("span", { class: "flag", tabindex: "0", title: FLAGS[flag] || flag, text: flag });
  }

  // ---------------------------------------------------------------- the API (GraphQL over GET)

  function ApiError(kind, message, extra) {
    this.kind = kind;
    this.message = message;
    this.retryAfter = extra && extra.retryAfter;
    this.code = extra && extra.code;
  }

  async function sha256(text) {
    if (!(window.crypto && crypto.subtle)) return null; // not a secure context: send the text
    var digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
    return Array.from(new Uint8Array(digest), function (b) {
      return b.toString(16).padStart(2, "0");
    }).join("");
  }

  function headers(accept) {
    var out = { Accept: accept };
    if (state.key) out["X-API-Key"] = state.key;
    return out;
  }

  async function send(url, accept) {
    var response;
    try {
      response = await fetch(url, { headers: headers(accept), credentials: "same-origin" });
    } catch (e) {
      throw new ApiError("network", "The service cannot be reached. Check that it is running, then retry.");
    }
    if (response.status === 429) {
      var after = parseInt(response.headers.get("Retry-After") || "60", 10);
      throw new ApiError("rate", "Too many requests for now.", { retryAfter: after });
    }
    if (response.status === 401) {
      state.keyRequired = true;
      showKeyBar();
      throw new ApiError("auth", state.key
        ? "The API key was refused (unknown or revoked). Enter another key above."
        : "This service requires an API key. Enter it above.");
    }
    return response;
  }

  async function gqlSend(params) {
    var response = await send("/graphql?" + params.toString(),
      "application/graphql-response+json, application/json");
    var body;
    try {
      body = await response.json();
    } catch (e) {
      throw new ApiError("http", "The service answered " + response.status + " without a readable body.");
    }
    if (response.status >= 500 || (body.error && !body.errors)) {
      var err = body.error || {};
      var retry = parseInt(response.headers.get("Retry-After") || "0", 10) || undefined;
      throw new ApiError(response.status >= 500 ? "unavailable" : "http",
        err.message || "The service answered " + response.status + ".", { code: err.code, retryAfter: retry });
    }
    return body;
  }

  async function gql(document_, variables) {
    var params = new URLSearchParams();
    if (variables) params.set("variables", JSON.stringify(variables));
    var hash = state.hashes.get(document_);
    if (hash === undefined) {
      hash = await sha256(document_);
      state.hashes.set(document_, hash);
    }
    var body;
    if (hash) {
      params.set("extensions", JSON.stringify({ persistedQuery: { version: 1, sha256Hash: hash } }));
      body = await gqlSend(params);
      var first = body.errors && body.errors[0];
      if (first && first.extensions && first.extensions.code === "PERSISTED_QUERY_NOT_FOUND") {
        params.set("query", document_);
        body = await gqlSend(params);
      }
    } else {
      params.set("query", document_);
      body = await gqlSend(params);
    }
    if (body.errors && body.errors.length) {
      var e = body.errors[0];
      var code = e.extensions && e.extensions.code;
      if (code === "RATE_LIMITED") {
        throw new ApiError("rate", e.message, { retryAfter: e.extensions.retryAfter || 60 });
      }
      throw new ApiError("graphql", e.message, { code: code });
    }
    return body.data;
  }

  // ---------------------------------------------------------------- API key and CSV links

  function showKeyBar() {
    document.getElementById("key-bar").hidden = false;
  }

  document.getElementById("key-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var value = document.getElementById("api-key").value.trim();
    state.key = value || null;
    if (value) sessionStorage.setItem(KEY_STORE, value);
    else sessionStorage.removeItem(KEY_STORE);
    render();
  });
  if (state.key) showKeyBar();

  // A CSV link is a plain link to the REST equivalent. A link cannot send a header, so when
  // this tab has an API key the click fetches the CSV with X-API-Key and saves it as a file.
  function csvLink(path, params, filename) {
    var search = new URLSearchParams();
    Object.keys(params || {}).forEach(function (k) { if (!dash(params[k]) && params[k] !== "") search.set(k, params[k]); });
    search.set("format", "csv");
    var href = path + "?" + search.toString();
    return h("a", {
      class: "csv", href: href, download: filename,
      onclick: function (event) {
        if (!state.key) return; // keys optional: the link works as it is
        event.preventDefault();
        downloadWithKey(href, filename, event.currentTarget);
      },
    }, "Download CSV (REST)");
  }

  async function downloadWithKey(href, filename, link) {
    try {
      var response = await send(href, "text/csv");
      if (!response.ok) throw new ApiError("http", "The CSV request answered " + response.status + ".");
      var url = URL.createObjectURL(await response.blob());
      var a = h("a", { href: url, download: filename });
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
    } catch (error) {
      link.after(h("span", { class: "error", role: "alert", text: " " + error.message }));
    }
  }

  // ---------------------------------------------------------------- page states

  function loading(what) {
    clearCharts();
    show(h("p", { class: "status", role: "status", "aria-busy": "true", text: "Loading " + what + "..." }));
  }

  function showError(error) {
    clearCharts();
    var box = h("div", { class: "error", role: "alert" });
    if (error.kind === "rate") {
      var left = Math.max(1, error.retryAfter || 60);
      var counter = h("span", { text: String(left) });
      var retry = h("button", { type: "button", disabled: true, onclick: render }, "Retry now");
      append(box, [h("strong", { text: "Too many requests." }), " The service limits how often one caller may ask. ",
        "Retry in ", counter, " s (", new Date(Date.now() + left * 1000).toLocaleTimeString(), "). ", retry]);
      var timer = setInterval(function () {
        left -= 1;
        counter.textContent = String(Math.max(0, left));
        if (left <= 0) { clearInterval(timer); retry.disabled = false; retry.focus(); }
      }, 1000);
    } else if (error instanceof ApiError) {
      append(box, [h("strong", { text: error.kind === "unavailable" ? "The service is unavailable." : "Something went wrong." }),
        " ", error.message, error.code ? " (" + error.code + ")" : "",
        error.retryAfter ? " Retry in " + error.retryAfter + " s." : "", " ",
        h("button", { type: "button", onclick: render }, "Retry")]);
    } else {
      append(box, [h("strong", { text: "The page failed to draw." }), " ", String(error && error.message || error)]);
    }
    show(box);
  }

  function notFound(what, value) {
    clearCharts();
    setTitle("Not found");
    show(h("div", { class: "error", role: "alert" },
      h("h1", { text: what + " not found" }),
      h("p", null, "No " + what.toLowerCase() + " ", h("strong", { text: value }),
        " is known to this service. Try the search above, or ", h("a", { href: "/" }, "start from the home page"), ".")));
  }

  // ---------------------------------------------------------------- charts (uPlot)

  function colors() {
    var css = getComputedStyle(document.documentElement);
    var get = function (n) { return css.getPropertyValue(n).trim(); };
    return { bg: get("--bg"), fg: get("--fg"), muted: get("--muted"), line: get("--line"), bad: get("--bad"), good: get("--good"),
      warn: get("--warn"), c1: get("--c1"), c2: get("--c2"), c3: get("--c3"), c4: get("--c4") };
  }

  function clearCharts() {
    charts.forEach(function (c) { c.observer.disconnect(); c.plot.destroy(); });
    charts = [];
  }

  function axis(c, opts) {
    return Object.assign({ stroke: c.muted, grid: { stroke: c.line, width: 1 }, ticks: { stroke: c.line } }, opts || {});
  }

  function bars() { return uPlot.paths.bars({ size: [0.7, 40, 6] }); }

  // A chart in `holder` (a figure with a caption for screen readers); sized to its width.
  function chart(holder, opts, data) {
    var c = colors();
    var width = Math.max(280, holder.clientWidth || main.clientWidth - 32);
    var options = Object.assign({
      width: width,
      height: width < 500 ? 220 : 300,
      tzDate: function (t) { return uPlot.tzDate(new Date(t * 1000), "Etc/UTC"); },
      cursor: { points: { size: 8 } },
      legend: { live: true },
    }, opts);
    options.axes = (opts.axes || [{}, {}]).map(function (a) { return axis(c, a); });
    // The legend's x value is a day (every series here is daily or coarser), in UTC.
    options.series = [{ value: function (u, v) { return dash(v) ? "–" : new Date(v * 1000).toISOString().slice(0, 10); } }].concat(opts.series.slice(1));
    // Bars and amounts start at zero; one point alone gets a month around it.
    options.scales = Object.assign({}, opts.scales);
    var xs = data[0];
    if (xs.length === 1) {
      options.scales.x = { time: true, range: [xs[0] - 15 * 86400, xs[0] + 15 * 86400] };
    } else if (opts.bars && xs.length > 1) {
      // Half a bar's room before the first date and after the last, so edge bars show whole.
      var gap = Infinity;
      for (var i = 1; i < xs.length; i++) gap = Math.min(gap, xs[i] - xs[i - 1]);
      var pad = Math.max(gap * 0.6, 86400);
      options.scales.x = { time: true, range: [xs[0] - pad, xs[xs.length - 1] + pad] };
    }
    delete options.bars;
    var plot = new uPlot(options, data, holder);
    var observer = new ResizeObserver(function () {
      var w = Math.max(280, holder.clientWidth);
      if (Math.abs(w - plot.width) > 4) plot.setSize({ width: w, height: w < 500 ? 220 : 300 });
    });
    observer.observe(holder);
    charts.push({ plot: plot, observer: observer });
    return plot;
  }

  function figure(label) {
    return h("figure", { class: "chart", role: "group", "aria-label": label });
  }

  // Tooltip plugin: `describe(idx)` returns text lines for the hovered point (or null).
  function tooltip(describe) {
    var tip;
    return {
      hooks: {
        init: function (u) {
          tip = h("div", { class: "tip", role: "tooltip" });
          tip.hidden = true;
          u.over.appendChild(tip);
        },
        setCursor: function (u) {
          var idx = u.cursor.idx;
          var lines = idx === null || idx === undefined ? null : describe(idx);
          if (!lines) { tip.hidden = true; return; }
          tip.replaceChildren.apply(tip, lines.map(function (l) { return h("div", { text: l }); }));
          tip.hidden = false;
          var left = u.cursor.left, top = u.cursor.top;
          tip.style.left = Math.min(left + 12, u.over.clientWidth - 260) + "px";
          tip.style.top = Math.max(0, top - 10) + "px";
        },
      },
    };
  }

  // Union of dates of several series (each a list of [day, value]) as uPlot's aligned data.
  function align(seriesList) {
    var days = new Set();
    seriesList.forEach(function (s) { s.forEach(function (p) { days.add(p[0]); }); });
    var sorted = Array.from(days).sort();
    var index = new Map(sorted.map(function (d, i) { return [d, i]; }));
    var data = [sorted.map(ts)];
    seriesList.forEach(function (s) {
      var column = new Array(sorted.length).fill(null);
      s.forEach(function (p) { column[index.get(p[0])] = p[1]; });
      data.push(column);
    });
    return { days: sorted, data: data };
  }

  // ---------------------------------------------------------------- tables

  var PAGE_ROWS = 60;

  // columns: [{label, value(row) -> sortable, cell(row) -> node/text, text: bool}]
  // sort: {key, dir, onSort(key)}: sorting by the server (URL state) or locally when onSort is absent.
  function table(caption, columns, rows, sort) {
    var current = sort || {};
    var body = h("tbody");
    var headRow = h("tr");
    // Long series show their first rows (in the table's order) until asked for all of them.
    var shown = PAGE_ROWS;
    var more = h("button", { type: "button", class: "more", onclick: function () { shown = Infinity; fill(); body.focus(); } });
    function fill() {
      var list = rows.slice();
      var col = current.key ? columns.find(function (c) { return c.key === current.key; }) : null;
      if (col && !current.server) {
        list.sort(function (a, b) {
          var x = col.value(a), y = col.value(b);
          if (dash(x) && dash(y)) return 0;
          if (dash(x)) return 1;
          if (dash(y)) return -1;
          var r = x < y ? -1 : x > y ? 1 : 0;
          return current.dir === "asc" ? r : -r;
        });
      }
      more.hidden = list.length <= shown;
      more.textContent = "Show all " + intFmt.format(list.length) + " rows";
      list = list.slice(0, shown);
      body.replaceChildren.apply(body, list.map(function (row) {
        return h("tr", { class: row.__class || null }, columns.map(function (c) {
          return h("td", { class: c.text ? "text" : null }, c.cell ? c.cell(row) : String(c.value(row)));
        }));
      }));
      headRow.replaceChildren.apply(headRow, columns.map(function (c) {
        var sorted = Boolean(c.key) && current.key === c.key;
        var aria = sorted ? (current.dir === "asc" ? "ascending" : "descending") : null;
        if (!c.key) return h("th", { scope: "col", class: c.text ? "text" : null, text: c.label });
        return h("th", { scope: "col", class: c.text ? "text" : null, "aria-sort": aria },
          h("button", {
            type: "button",
            onclick: function () {
              var dir = sorted && current.dir === "desc" ? "asc" : "desc";
              if (current.onSort) { current.onSort(c.key, dir); return; }
              current = Object.assign({}, current, { key: c.key, dir: dir });
              fill();
              headRow.querySelector("[aria-sort] button").focus();
            },
          }, c.label + (sorted ? (current.dir === "asc" ? " ▲" : " ▼") : "")));
      }));
    }
    fill();
    body.tabIndex = -1;
    return h("div", null, h("div", { class: "table-wrap" }, h("table", { class: "data" }, h("caption", { class: "sr-only", text: caption }), h("thead", null, headRow), body)), more);
  }

  function symbolLink(security) {
    return h("a", { href: "/security/" + encodeURIComponent(security.symbol), text: security.symbol });
  }

  function card(label, value) {
    return h("div", { class: "card" }, h("div", { class: "label", text: label }), h("div", { class: "value", text: value }));
  }

  // ---------------------------------------------------------------- pages

  var HOME = "query Home { indexes(first: 20) { code name } " +
    "outflows: fundFlowLeaders(period: WEEK, direction: OUTFLOW, first: 5) { symbol periodEnd flowUsd isRecordOutflow } " +
    "inflows: fundFlowLeaders(period: WEEK, direction: INFLOW, first: 5) { symbol periodEnd flowUsd isRecordInflow } }";

  async function homePage() {
    setTitle("US short interest and ETF fund flows");
    loading("the overview");
    var data = await gql(HOME);
    function leaders(list, record) {
      if (!list.length) return h("p", { class: "muted", text: "No weekly flows stored." });
      return h("ul", null, list.map(function (f) {
        return h("li", null, h("a", { href: "/fund/" + encodeURIComponent(f.symbol), text: f.symbol }), " ",
          usd(f.flowUsd), " (week to " + f.periodEnd + ")", f[record] ? h("span", { class: "record", text: " record" }) : null);
      }));
    }
    show(
      h("h1", { text: "US short interest and ETF fund flows" }),
      h("p", null, "Search a symbol above, or start from an index, a fund or a screen. The same answers are in ",
        h("a", { href: "/graphql" }, "GraphiQL"), " and the ", h("a", { href: "/docs" }, "REST API docs"), "."),
      h("div", { class: "home-grid" },
        h("section", null, h("h2", { text: "Indexes" }),
          data.indexes.length ? h("ul", null, data.indexes.map(function (i) {
            return h("li", null, h("a", { href: "/index/" + encodeURIComponent(i.code), text: i.code }), i.name ? " " + i.name : "");
          })) : h("p", { class: "muted", text: "No index stored yet." })),
        h("section", null, h("h2", { text: "Largest weekly outflows" }), leaders(data.outflows, "isRecordOutflow")),
        h("section", null, h("h2", { text: "Largest weekly inflows" }), leaders(data.inflows, "isRecordInflow")),
        h("section", null, h("h2", { text: "Screens and calendar" }), h("ul", null,
          h("li", null, h("a", { href: "/screens" }, "Squeeze screen")),
          h("li", null, h("a", { href: "/screens?tab=short-interest" }, "Short interest screen")),
          h("li", null, h("a", { href: "/screens?tab=short-volume" }, "Short volume screen")),
          h("li", null, h("a", { href: "/calendar" }, "Settlement calendar"))))));
  }

  var SECURITY = "query SecurityPage($symbol: String!, $asOf: Date, $from: Date, $to: Date) {\n" +
    "  security(symbol: $symbol) {\n    symbol name type marketClass listingExchange\n" +
    "    sharesOutstanding(asOf: $asOf) floatShares(asOf: $asOf)\n" +
    "    shortInterest(asOf: $asOf, from: $from, to: $to, first: 1000) {\n      totalCount\n" +
    "      nodes { settlementDate publishedDate shortInterest change changePercent daysToCover\n" +
    "        shortPercentOfFloat shortPercentOfSharesOutstanding shortValueUsd revised flags closePrice }\n    }\n" +
    "    prices(from: $from, to: $to) { date close }\n" +
    "    shortVolume(from: $from, to: $to) { date shortVolume totalVolume shortVolumeRatio }\n  }\n}";

  async function securityPage(symbol) {
    var q = query();
    var asOf = q.get("asOf") || null;
    var vars = { symbol: symbol, asOf: asOf, from: q.get("from") || null, to: q.get("to") || null };
    setTitle(symbol);
    loading(symbol);
    var data = await gql(SECURITY, vars);
    var s = data.security;
    if (!s) return notFound("Security", symbol);
    var points = s.shortInterest.nodes.slice().sort(function (a, b) { return a.settlementDate < b.settlementDate ? -1 : 1; });
    var latest = points[points.length - 1];
    setTitle(s.symbol + (s.name ? " " + s.name : ""));

    var picker = h("input", { type: "date", id: "as-of", value: asOf || "", max: today() });
    picker.addEventListener("change", function () { setParam("asOf", picker.value || null); });
    var clear = asOf ? h("button", { type: "button", onclick: function () { setParam("asOf", null); } }, "Everything known") : null;

    var siChart = figure("Short interest (bars, shares) and close price (line, USD) by date");
    var ratioChart = figure("Short interest as percent of float and of shares outstanding, and days to cover");
    var volumeChart = figure("Reg SHO short volume ratio by trading day");

    show(
      h("h1", null, s.symbol, s.name ? h("span", { class: "muted", text: " " + s.name }) : null),
      h("p", { class: "muted" }, [s.type, s.listingExchange || s.marketClass].filter(Boolean).join(" · "),
        s.type === "ETF" ? h("span", null, " · ", h("a", { href: "/fund/" + encodeURIComponent(s.symbol) }, "Fund flows")) : null),
      h("div", { class: "toolbar" },
        h("label", { for: "as-of" }, "As known on"), picker, clear,
        csvLink("/v1/securities/" + encodeURIComponent(s.symbol) + "/short-interest",
          { as_of: asOf, from: vars.from, to: vars.to, limit: 1000 }, s.symbol + "-short-interest.csv")),
      asOf ? h("p", { class: "legend-note", text: "As known on " + asOf + ": values and revisions published after that date are hidden." }) : null,
      h("div", { class: "cards" },
        card("Short interest" + (latest ? " (" + latest.settlementDate + ")" : ""), latest ? int(latest.shortInterest) : "–"),
        card("Change", latest ? pct(latest.changePercent) : "–"),
        card("% of float", latest ? pct(latest.shortPercentOfFloat) : "–"),
        card("% of shares outstanding", latest ? pct(latest.shortPercentOfSharesOutstanding) : "–"),
        card("Days to cover", latest ? num(latest.daysToCover) : "–"),
        card("Short value", latest ? usd(latest.shortValueUsd) : "–")),
      h("h2", { text: "Short interest and price" }),
      points.length ? siChart : h("p", { class: "muted", text: "No short interest known for " + s.symbol + (asOf ? " as of " + asOf : "") + "." }),
      flagList(points),
      h("h2", { text: "Short % of float, of shares outstanding, days to cover" }),
      points.length ? ratioChart : null,
      h("h2", { text: "Reg SHO short volume ratio (CNMS)" }),
      s.shortVolume.length ? volumeChart : h("p", { class: "muted", text: "No Reg SHO short volume stored for " + s.symbol + "." }),
      h("h2", { text: "Short interest by settlement date" }),
      table("Short interest of " + s.symbol, [
        { label: "Settlement", key: "date", text: true, value: function (r) { return r.settlementDate; } },
        { label: "Published", value: function (r) { return r.publishedDate || "–"; } },
        { label: "Short interest", key: "si", value: function (r) { return r.shortInterest; }, cell: function (r) { return int(r.shortInterest); } },
        { label: "Change %", key: "chg", value: function (r) { return r.changePercent; }, cell: function (r) { return pct(r.changePercent); } },
        { label: "% float", key: "pf", value: function (r) { return r.shortPercentOfFloat; }, cell: function (r) { return pct(r.shortPercentOfFloat); } },
        { label: "% shares out.", value: function (r) { return r.shortPercentOfSharesOutstanding; }, cell: function (r) { return pct(r.shortPercentOfSharesOutstanding); } },
        { label: "Days to cover", key: "dtc", value: function (r) { return r.daysToCover; }, cell: function (r) { return num(r.daysToCover); } },
        { label: "Short value", value: function (r) { return r.shortValueUsd; }, cell: function (r) { return usd(r.shortValueUsd); } },
        { label: "Flags", text: true, value: function (r) { return r.flags.join(" "); }, cell: function (r) { return r.flags.map(flagChip); } },
      ], points, { key: "date", dir: "desc" }));

    var c = colors();
    if (points.length) {
      var flagged = points.filter(function (p) { return p.flags.length; });
      var aligned = align([
        points.map(function (p) { return [p.settlementDate, p.shortInterest]; }),
        s.prices.map(function (p) { return [p.date, p.close]; }),
        flagged.map(function (p) { return [p.settlementDate, p.shortInterest]; }),
      ]);
      var byDay = new Map(points.map(function (p) { return [p.settlementDate, p]; }));
      chart(siChart, {
        bars: true,
        series: [{},
          { label: "Short interest", scale: "shares", fill: c.c1, stroke: c.c1, paths: bars(), points: { show: false }, value: function (u, v) { return int(v); } },
          { label: "Close", scale: "usd", stroke: c.c2, width: 1.5, spanGaps: true, points: { show: false }, value: function (u, v) { return dash(v) ? "–" : "$" + num(v); } },
          { label: "Flagged", scale: "shares", stroke: c.warn, fill: c.warn, paths: function () { return null; }, points: { show: true, size: 11, width: 2 }, value: function (u, v) { return dash(v) ? "–" : "flag"; } }],
        scales: { shares: { range: function (u, min, max) { return [0, max * 1.08]; } } },
        axes: [{}, { scale: "shares", size: 60, values: function (u, vals) { return vals.map(shares); } },
          { scale: "usd", side: 1, grid: { show: false }, values: function (u, vals) { return vals.map(function (v) { return "$" + num(v); }); } }],
        plugins: [tooltip(function (idx) {
          var p = byDay.get(aligned.days[idx]);
          if (!p || !p.flags.length) return null;
          return [p.settlementDate + ": " + int(p.shortInterest) + " shares"].concat(p.flags.map(function (f) { return f + ": " + (FLAGS[f] || ""); }));
        })],
      }, aligned.data);
      var ratio = align([
        points.map(function (p) { return [p.settlementDate, p.shortPercentOfFloat]; }),
        points.map(function (p) { return [p.settlementDate, p.shortPercentOfSharesOutstanding]; }),
        points.map(function (p) { return [p.settlementDate, p.daysToCover]; }),
      ]);
      chart(ratioChart, {
        series: [{},
          { label: "% of float", scale: "%", stroke: c.c1, width: 2, points: { show: true }, value: function (u, v) { return pct(v); } },
          { label: "% of shares outstanding", scale: "%", stroke: c.c3, width: 2, dash: [6, 4], points: { show: true }, value: function (u, v) { return pct(v); } },
          { label: "Days to cover", scale: "days", stroke: c.c4, width: 2, points: { show: true }, value: function (u, v) { return num(v); } }],
        axes: [{}, { scale: "%", size: 64, values: function (u, vals) { return vals.map(function (v) { return num(v) + "%"; }); } },
          { scale: "days", side: 1, grid: { show: false }, values: function (u, vals) { return vals.map(num); } }],
      }, ratio.data);
    }
    if (s.shortVolume.length) {
      var vol = align([s.shortVolume.map(function (p) { return [p.date, p.shortVolumeRatio]; })]);
      chart(volumeChart, {
        series: [{}, { label: "Short volume ratio", stroke: c.c3, fill: c.c3 + "33", width: 1.5, points: { show: s.shortVolume.length < 40 }, value: function (u, v) { return pct(v); } }],
        axes: [{}, { values: function (u, vals) { return vals.map(function (v) { return num(v) + "%"; }); } }],
      }, vol.data);
    }
  }

  function flagList(points) {
    var flagged = points.filter(function (p) { return p.flags.length; });
    if (!flagged.length) return null;
    return h("div", null, h("p", { class: "legend-note", text: "Flagged settlement dates (hover or focus a flag for its meaning):" }),
      h("ul", { class: "markers" }, flagged.map(function (p) {
        return h("li", null, h("span", { class: "muted", text: p.settlementDate + " " }), p.flags.map(flagChip));
      })));
  }

  var FUND = "query FundPage($symbol: String!, $period: FlowPeriod!, $from: Date, $to: Date) {\n" +
    "  security(symbol: $symbol) {\n    symbol name type\n" +
    "    fundFlows(period: $period, from: $from, to: $to) { periodStart periodEnd flowUsd source sharesOutstanding nav\n" +
    "      isRecordInflow isRecordOutflow daysReported tradingDays complete }\n" +
    "    flowRecords(period: $period) { largestInflow { periodEnd flowUsd } largestOutflow { periodEnd flowUsd } }\n  }\n}";
  var PERIODS = { day: "DAY", week: "WEEK", month: "MONTH" };

  async function fundPage(symbol) {
    var q = query();
    var period = PERIODS[q.get("period")] ? q.get("period") : "week";
    var vars = { symbol: symbol, period: PERIODS[period], from: q.get("from") || null, to: q.get("to") || null };
    setTitle(symbol + " flows");
    loading(symbol + " fund flows");
    var data = await gql(FUND, vars);
    var s = data.security;
    if (!s) return notFound("Fund", symbol);
    setTitle(s.symbol + " fund flows");
    var flows = s.fundFlows.slice().sort(function (a, b) { return a.periodEnd < b.periodEnd ? -1 : 1; });
    var cumulative = 0;
    var cum = flows.map(function (f) { cumulative += f.flowUsd; return [f.periodEnd, Math.round(cumulative * 100) / 100]; });
    var rec = s.flowRecords || {};
    var flowChart = figure("Net flows per " + period + " (bars, USD), records marked, and cumulative flow (line)");
    var sharesChart = figure("Shares outstanding by date");
    show(
      h("h1", null, s.symbol, s.name ? h("span", { class: "muted", text: " " + s.name }) : null),
      h("p", { class: "muted" }, s.type, " · ", h("a", { href: "/security/" + encodeURIComponent(s.symbol) }, "Short interest")),
      h("nav", { class: "tabs", "aria-label": "Flow period" }, Object.keys(PERIODS).map(function (p) {
        var params = query(); params.set("period", p);
        return h("a", { href: location.pathname + "?" + params.toString(), "aria-current": p === period ? "page" : null, text: p === "day" ? "Daily" : p === "week" ? "Weekly" : "Monthly" });
      })),
      h("div", { class: "toolbar" }, csvLink("/v1/funds/" + encodeURIComponent(s.symbol) + "/flows",
        { period: period, from: vars.from, to: vars.to }, s.symbol + "-flows-" + period + ".csv")),
      h("div", { class: "cards" },
        card("Record inflow", rec.largestInflow ? usd(rec.largestInflow.flowUsd) + " (" + rec.largestInflow.periodEnd + ")" : "–"),
        card("Record outflow", rec.largestOutflow ? usd(rec.largestOutflow.flowUsd) + " (" + rec.largestOutflow.periodEnd + ")" : "–"),
        card("Cumulative (shown)", usd(cumulative)),
        card("Periods", int(flows.length))),
      flows.length ? flowChart : h("p", { class: "muted", text: "No flows stored for " + s.symbol + "." }),
      flows.length ? h("p", { class: "legend-note" }, "Rings mark records: ", h("span", { class: "record in", text: "record inflow" }), " and ",
        h("span", { class: "record", text: "record outflow" }), " (higher or lower than every earlier " + period + " of this fund).") : null,
      h("h2", { text: "Shares outstanding" }),
      flows.some(function (f) { return !dash(f.sharesOutstanding); }) ? sharesChart : h("p", { class: "muted", text: "No share counts stored." }),
      h("h2", { text: "Flows by " + period }),
      table("Flows of " + s.symbol, [
        { label: "Period end", key: "end", text: true, value: function (f) { return f.periodEnd; } },
        { label: "Flow", key: "flow", value: function (f) { return f.flowUsd; }, cell: function (f) { return usd(f.flowUsd); } },
        { label: "Record", text: true, value: function (f) { return f.isRecordInflow ? "inflow" : f.isRecordOutflow ? "outflow" : ""; },
          cell: function (f) { return f.isRecordInflow ? h("span", { class: "record in", text: "record inflow" }) : f.isRecordOutflow ? h("span", { class: "record", text: "record outflow" }) : ""; } },
        { label: "Shares outstanding", value: function (f) { return f.sharesOutstanding; }, cell: function (f) { return int(f.sharesOutstanding); } },
        { label: "NAV", value: function (f) { return f.nav; }, cell: function (f) { return dash(f.nav) ? "–" : "$" + num(f.nav); } },
        { label: "Days", value: function (f) { return f.daysReported; }, cell: function (f) { return f.daysReported + "/" + f.tradingDays + (f.complete ? "" : " (so far)"); } },
        { label: "Source", text: true, value: function (f) { return f.source; } },
      ], flows, { key: "end", dir: "desc" }));
    if (!flows.length) return;
    var c = colors();
    var aligned = align([
      flows.map(function (f) { return [f.periodEnd, f.flowUsd >= 0 ? f.flowUsd : null]; }),
      flows.map(function (f) { return [f.periodEnd, f.flowUsd < 0 ? f.flowUsd : null]; }),
      flows.filter(function (f) { return f.isRecordInflow; }).map(function (f) { return [f.periodEnd, f.flowUsd]; }),
      flows.filter(function (f) { return f.isRecordOutflow; }).map(function (f) { return [f.periodEnd, f.flowUsd]; }),
      cum,
    ]);
    var money = function (u, v) { return usd(v); };
    chart(flowChart, {
      bars: true,
      series: [{},
        { label: "Inflow", scale: "flow", fill: c.good, stroke: c.good, paths: bars(), points: { show: false }, value: money },
        { label: "Outflow", scale: "flow", fill: c.bad, stroke: c.bad, paths: bars(), points: { show: false }, value: money },
        { label: "Record inflow", scale: "flow", stroke: c.good, fill: c.bg, paths: function () { return null; }, points: { show: true, size: 12, width: 3 }, value: money },
        { label: "Record outflow", scale: "flow", stroke: c.bad, fill: c.bg, paths: function () { return null; }, points: { show: true, size: 12, width: 3 }, value: money },
        { label: "Cumulative", scale: "cum", stroke: c.c3, width: 2, spanGaps: true, points: { show: false }, value: money }],
      axes: [{}, { scale: "flow", values: function (u, vals) { return vals.map(usd); }, size: 70 },
        { scale: "cum", side: 1, grid: { show: false }, values: function (u, vals) { return vals.map(usd); }, size: 70 }],
    }, aligned.data);
    var counted = flows.filter(function (f) { return !dash(f.sharesOutstanding); });
    if (counted.length) {
      chart(sharesChart, {
        series: [{}, { label: "Shares outstanding", stroke: c.c1, width: 2, value: function (u, v) { return int(v); } }],
        axes: [{}, { values: function (u, vals) { return vals.map(shares); } }],
      }, align([counted.map(function (f) { return [f.periodEnd, f.sharesOutstanding]; })]).data);
    }
  }

  var INDEX = "query IndexPage($code: String!, $from: Date, $to: Date) {\n" +
    "  index(code: $code) {\n    code name\n    trackingFunds { symbol name type }\n" +
    "    shortExposure(from: $from, to: $to) { settlementDate singleStockShortValueUsd etfShortValueUsd\n" +
    "      futuresLeveragedFundsShortUsd futuresLegKnown totalShortValueUsd totalWithFuturesShortValueUsd\n" +
    "      isRecord totalWithFuturesIsRecord singleStockLegKnown etfLegKnown constituents constituentsReporting\n" +
    "      constituentsPriced etfsReporting }\n  }\n}";

  async function indexPage(code) {
    var q = query();
    var vars = { code: code, from: q.get("from") || null, to: q.get("to") || null };
    setTitle(code);
    loading("index " + code);
    var data = await gql(INDEX, vars);
    var idx = data.index;
    if (!idx) return notFound("Index", code);
    setTitle(idx.code + (idx.name ? " " + idx.name : "") + " short exposure");
    var rows = idx.shortExposure;
    var hasFutures = rows.some(function (r) { return r.futuresLegKnown; });
    var exposure = figure("Short exposure stacked by leg, USD: single stocks, ETFs" + (hasFutures ? ", futures" : "") + "; records marked");
    var reporting = figure("Constituents reporting short interest, by settlement date");
    show(
      h("h1", null, idx.code, idx.name ? h("span", { class: "muted", text: " " + idx.name }) : null),
      h("div", { class: "toolbar" }, csvLink("/v1/indexes/" + encodeURIComponent(idx.code) + "/short-exposure",
        { from: vars.from, to: vars.to }, idx.code + "-short-exposure.csv")),
      h("h2", { text: "Short exposure by leg" }),
      rows.length ? exposure : h("p", { class: "muted", text: "No short exposure known for " + idx.code + "." }),
      rows.length ? h("p", { class: "legend-note", text: "Bars stack the legs (each legend value is the leg itself); a ring marks a record total (higher than on every earlier date whose legs are all known)." }) : null,
      h("h2", { text: "Constituents reporting" }),
      rows.length ? reporting : null,
      h("h2", { text: "Tracking funds" }),
      idx.trackingFunds.length ? h("ul", null, idx.trackingFunds.map(function (f) {
        return h("li", null, h("a", { href: "/fund/" + encodeURIComponent(f.symbol), text: f.symbol }), f.name ? " " + f.name : "", " · ",
          h("a", { href: "/security/" + encodeURIComponent(f.symbol) }, "short interest"));
      })) : h("p", { class: "muted", text: "No fund is known to track " + idx.code + "." }),
      h("h2", { text: "By settlement date" }),
      table("Short exposure of " + idx.code, [
        { label: "Settlement", key: "date", text: true, value: function (r) { return r.settlementDate; } },
        { label: "Stocks", key: "stocks", value: function (r) { return r.singleStockShortValueUsd; }, cell: function (r) { return r.singleStockLegKnown ? usd(r.singleStockShortValueUsd) : "unknown"; } },
        { label: "ETFs", key: "etfs", value: function (r) { return r.etfShortValueUsd; }, cell: function (r) { return r.etfLegKnown ? usd(r.etfShortValueUsd) : "unknown"; } },
        hasFutures ? { label: "Futures (lev. funds)", value: function (r) { return r.futuresLeveragedFundsShortUsd; }, cell: function (r) { return usd(r.futuresLeveragedFundsShortUsd); } } : null,
        { label: "Total", key: "total", value: function (r) { return r.totalShortValueUsd; }, cell: function (r) { return usd(r.totalShortValueUsd); } },
        { label: "Reporting", value: function (r) { return r.constituentsReporting; }, cell: function (r) { return int(r.constituentsReporting) + " / " + int(r.constituents); } },
        { label: "Record", text: true, value: function (r) { return r.isRecord ? 1 : 0; }, cell: function (r) { return r.isRecord ? h("span", { class: "record in", text: "record" }) : ""; } },
      ].filter(Boolean), rows, { key: "date", dir: "desc" }));
    if (!rows.length) return;
    var c = colors();
    var stock = rows.map(function (r) { return r.singleStockShortValueUsd; });
    var etf = rows.map(function (r) { return r.etfShortValueUsd; });
    var fut = rows.map(function (r) { return r.futuresLeveragedFundsShortUsd || 0; });
    var days = rows.map(function (r) { return ts(r.settlementDate); });
    var s1 = stock, s2 = stock.map(function (v, i) { return v + etf[i]; }), s3 = s2.map(function (v, i) { return v + fut[i]; });
    var records = rows.map(function (r, i) { return r.isRecord || r.totalWithFuturesIsRecord ? (hasFutures ? s3[i] : s2[i]) : null; });
    var leg = function (raw) { return function (u, v, si, i) { return dash(i) ? "–" : usd(raw[i]); }; };
    var series = [{}];
    var stackData = [days];
    if (hasFutures) {
      series.push({ label: "Futures", fill: c.c3, stroke: c.c3, paths: bars(), points: { show: false }, value: leg(fut) });
      stackData.push(s3);
    }
    series.push({ label: "ETFs", fill: c.c2, stroke: c.c2, paths: bars(), points: { show: false }, value: leg(etf) });
    stackData.push(s2);
    series.push({ label: "Stocks", fill: c.c1, stroke: c.c1, paths: bars(), points: { show: false }, value: leg(stock) });
    stackData.push(s1);
    series.push({ label: "Record", stroke: c.fg, fill: c.warn, paths: function () { return null; }, points: { show: true, size: 12, width: 2 }, value: function (u, v) { return dash(v) ? "–" : "record"; } });
    stackData.push(records);
    chart(exposure, {
      bars: true, series: series,
      scales: { y: { range: function (u, min, max) { return [0, max * 1.05]; } } },
      axes: [{}, { values: function (u, vals) { return vals.map(usd); }, size: 70 }],
    }, stackData);
    chart(reporting, {
      series: [{}, { label: "Reporting", stroke: c.c4, width: 2, points: { show: true }, value: function (u, v) { return int(v); } },
        { label: "Constituents", stroke: c.muted, width: 1, dash: [4, 4], points: { show: false }, value: function (u, v) { return int(v); } }],
      scales: { y: { range: function (u, min, max) { return [0, max * 1.05]; } } },
      axes: [{}, { values: function (u, vals) { return vals.map(int); } }],
    }, [days, rows.map(function (r) { return r.constituentsReporting; }), rows.map(function (r) { return r.constituents; })]);
  }

  var SQUEEZE = "query Squeeze($index: String, $asOf: Date) {\n" +
    "  squeezeScreen(index: $index, asOf: $asOf, first: 50) {\n    asOf evaluated excluded { reason count }\n" +
    "    candidates { security { symbol name type } settlementDate score shortPercentOfFloat\n" +
    "      shortPercentOfSharesOutstanding daysToCover factors { name value weight contribution } }\n  }\n}";
  var SI_SCREEN = "query ShortInterestScreen($filter: ShortInterestFilter, $orderBy: [ShortInterestOrder!], $asOf: Date) {\n" +
    "  shortInterestScreen(filter: $filter, orderBy: $orderBy, asOf: $asOf, first: 50) {\n    settlementDate totalCount\n" +
    "    nodes { rank marketCapUsd security { symbol name type }\n" +
    "      point { shortInterest changePercent daysToCover shortPercentOfFloat shortValueUsd flags } }\n  }\n}";
  var SV_SCREEN = "query ShortVolumeScreen($filter: ShortVolumeFilter, $orderBy: [ShortVolumeOrder!], $date: Date) {\n" +
    "  shortVolumeScreen(filter: $filter, orderBy: $orderBy, date: $date, first: 50) {\n    date facility totalCount\n" +
    "    nodes { rank security { symbol name type }\n" +
    "      point { shortVolume totalVolume shortVolumeRatio averageShortVolumeRatio shortVolumeRatioChange } }\n  }\n}";
  var TABS = { squeeze: "Squeeze", "short-interest": "Short interest", "short-volume": "Short volume" };

  async function screensPage() {
    var q = query();
    var tab = TABS[q.get("tab")] ? q.get("tab") : "squeeze";
    var index = q.get("index") || null;
    setTitle(TABS[tab] + " screen");
    loading("the " + TABS[tab].toLowerCase() + " screen");
    var body;
    if (tab === "squeeze") body = await squeezeTab(index, q.get("asOf") || null);
    else if (tab === "short-interest") body = await shortInterestTab(index, q);
    else body = await shortVolumeTab(index, q);
    var indexInput = h("input", { id: "screen-index", value: index || "", size: "8", placeholder: "e.g. R2000" });
    show(
      h("h1", { text: "Screens" }),
      h("nav", { class: "tabs", "aria-label": "Screens" }, Object.keys(TABS).map(function (t) {
        var params = new URLSearchParams(); params.set("tab", t); if (index) params.set("index", index);
        return h("a", { href: "/screens?" + params.toString(), "aria-current": t === tab ? "page" : null, text: TABS[t] });
      })),
      h("form", { class: "toolbar", onsubmit: function (e) { e.preventDefault(); setParam("index", indexInput.value.trim().toUpperCase() || null); } },
        h("label", { for: "screen-index" }, "Index"), indexInput, h("button", { type: "submit" }, "Apply"), body.csv),
      body.note, body.table);
  }

  function factorBars(factors) {
    var names = factors.map(function (f) {
      return f.name + ": value " + num(f.value) + ", weight " + num(f.weight) + ", contribution " + num(f.contribution);
    });
    return h("span", { class: "bars", role: "img", "aria-label": names.join("; "), title: names.join("\n") },
      factors.map(function (f) {
        var scaled = f.weight > 0 ? Math.max(0.04, Math.min(1, f.contribution / (100 * f.weight))) : 0;
        var bar = h("span");
        bar.style.height = (scaled * 100).toFixed(0) + "%";
        return bar;
      }));
  }

  async function squeezeTab(index, asOf) {
    var data = (await gql(SQUEEZE, { index: index, asOf: asOf })).squeezeScreen;
    var factorNames = data.candidates.length ? data.candidates[0].factors.map(function (f) { return f.name; }) : [];
    var c = colors();
    var legend = factorNames.map(function (n, i) {
      var sw = h("span", { class: "swatch" });
      sw.style.background = [c.c1, c.c2, c.c3, c.c4, c.warn][i % 5];
      return h("span", null, sw, " " + n + " ");
    });
    return {
      csv: csvLink("/v1/screens/squeeze", { index: index, as_of: asOf, limit: 50 }, "squeeze.csv"),
      note: h("p", { class: "legend-note" }, "As of " + data.asOf + ": " + int(data.evaluated) + " evaluated" +
        (data.excluded.length ? ", left out: " + data.excluded.map(function (e) { return e.reason + " " + e.count; }).join(", ") : "") +
        ". Factor bars: each factor's share of its maximum contribution (hover for value, weight, contribution). ", legend),
      table: data.candidates.length ? table("Squeeze candidates", [
        { label: "Symbol", key: "symbol", text: true, value: function (r) { return r.security.symbol; }, cell: function (r) { return symbolLink(r.security); } },
        { label: "Name", text: true, value: function (r) { return r.security.name || ""; } },
        { label: "Score", key: "score", value: function (r) { return r.score; }, cell: function (r) { return num(r.score); } },
        { label: "Factors", text: true, value: function () { return ""; }, cell: function (r) { return factorBars(r.factors); } },
        { label: "% float", key: "pf", value: function (r) { return r.shortPercentOfFloat; }, cell: function (r) { return pct(r.shortPercentOfFloat); } },
        { label: "Days to cover", key: "dtc", value: function (r) { return r.daysToCover; }, cell: function (r) { return num(r.daysToCover); } },
        { label: "Settlement", text: true, value: function (r) { return r.settlementDate; } },
      ], data.candidates, { key: "score", dir: "desc" }) : h("p", { class: "muted", text: "No candidates." }),
    };
  }

  // A market screen's order lives in the URL (sort, dir) and is the server's: GraphQL orderBy,
  // and the same order as REST's order_by for the CSV link.
  function serverSort(q, fallback) {
    var key = q.get("sort") || fallback;
    var dir = q.get("dir") === "asc" ? "asc" : "desc";
    return {
      key: key, dir: dir, server: true,
      onSort: function (k, d) { setParams({ sort: k, dir: d }); },
      orderBy: [{ field: key, direction: dir.toUpperCase() }],
      rest: (dir === "desc" ? "-" : "") + key.toLowerCase(),
    };
  }

  // The columns every ranked screen row starts with.
  var RANKED = [
    { label: "#", value: function (r) { return r.rank; } },
    { label: "Symbol", text: true, value: function (r) { return r.security.symbol; }, cell: function (r) { return symbolLink(r.security); } },
    { label: "Name", text: true, value: function (r) { return r.security.name || ""; } },
  ];

  async function shortInterestTab(index, q) {
    var sort = serverSort(q, "SHORT_INTEREST");
    var asOf = q.get("asOf") || null;
    var filter = index ? { index: index } : null;
    var data = (await gql(SI_SCREEN, { filter: filter, asOf: asOf, orderBy: sort.orderBy })).shortInterestScreen;
    return {
      csv: csvLink("/v1/screens/short-interest", { index: index, as_of: asOf, order_by: sort.rest, limit: 50 }, "short-interest-screen.csv"),
      note: h("p", { class: "legend-note", text: "Settlement date " + (data.settlementDate || "–") + ": " + int(data.totalCount) + " securities; the first 50 in this order." }),
      table: table("Short interest screen", RANKED.concat([
        { label: "Short interest", key: "SHORT_INTEREST", value: function (r) { return r.point.shortInterest; }, cell: function (r) { return int(r.point.shortInterest); } },
        { label: "Change %", key: "CHANGE_PERCENT", value: function (r) { return r.point.changePercent; }, cell: function (r) { return pct(r.point.changePercent); } },
        { label: "% float", key: "SHORT_PERCENT_OF_FLOAT", value: function (r) { return r.point.shortPercentOfFloat; }, cell: function (r) { return pct(r.point.shortPercentOfFloat); } },
        { label: "Days to cover", key: "DAYS_TO_COVER", value: function (r) { return r.point.daysToCover; }, cell: function (r) { return num(r.point.daysToCover); } },
        { label: "Short value", key: "SHORT_VALUE_USD", value: function (r) { return r.point.shortValueUsd; }, cell: function (r) { return usd(r.point.shortValueUsd); } },
        { label: "Market cap", key: "MARKET_CAP_USD", value: function (r) { return r.marketCapUsd; }, cell: function (r) { return usd(r.marketCapUsd); } },
        { label: "Flags", text: true, value: function (r) { return ""; }, cell: function (r) { return r.point.flags.map(flagChip); } },
      ]), data.nodes, sort),
    };
  }

  async function shortVolumeTab(index, q) {
    var sort = serverSort(q, "SHORT_VOLUME_RATIO");
    var day = q.get("date") || null;
    var filter = index ? { index: index } : null;
    var data = (await gql(SV_SCREEN, { filter: filter, date: day, orderBy: sort.orderBy })).shortVolumeScreen;
    return {
      csv: csvLink("/v1/screens/short-volume", { index: index, date: day, order_by: sort.rest, limit: 50 }, "short-volume-screen.csv"),
      note: h("p", { class: "legend-note", text: "Trading day " + (data.date || "–") + " (" + data.facility + "): " + int(data.totalCount) + " securities; the first 50 in this order. Short volume is not short interest." }),
      table: table("Short volume screen", RANKED.concat([
        { label: "Short volume", key: "SHORT_VOLUME", value: function (r) { return r.point.shortVolume; }, cell: function (r) { return int(r.point.shortVolume); } },
        { label: "Total volume", key: "TOTAL_VOLUME", value: function (r) { return r.point.totalVolume; }, cell: function (r) { return int(r.point.totalVolume); } },
        { label: "Ratio", key: "SHORT_VOLUME_RATIO", value: function (r) { return r.point.shortVolumeRatio; }, cell: function (r) { return pct(r.point.shortVolumeRatio); } },
        { label: "20-day avg", key: "AVERAGE_SHORT_VOLUME_RATIO", value: function (r) { return r.point.averageShortVolumeRatio; }, cell: function (r) { return pct(r.point.averageShortVolumeRatio); } },
        { label: "Change (pp)", key: "SHORT_VOLUME_RATIO_CHANGE", value: function (r) { return r.point.shortVolumeRatioChange; }, cell: function (r) { return num(r.point.shortVolumeRatioChange); } },
      ]), data.nodes, sort),
    };
  }

  var CALENDAR = "query Calendar($year: Int!) { settlementCalendar(year: $year) { settlementDate publicationDate } }";

  async function calendarPage() {
    var q = query();
    var year = parseInt(q.get("year") || today().slice(0, 4), 10);
    if (!(year >= 1900 && year <= 2999)) year = parseInt(today().slice(0, 4), 10);
    setTitle("Settlement calendar " + year);
    loading("the " + year + " calendar");
    var rows = (await gql(CALENDAR, { year: year })).settlementCalendar.slice().sort(function (a, b) {
      return a.settlementDate < b.settlementDate ? -1 : 1;
    });
    var now = today();
    // The next publication: the earliest publication date from today on.
    var next = rows.filter(function (r) { return r.publicationDate >= now; })
      .sort(function (a, b) { return a.publicationDate < b.publicationDate ? -1 : 1; })[0];
    rows.forEach(function (r) { r.__class = r === next ? "next" : null; });
    show(
      h("h1", { text: "FINRA short interest calendar " + year }),
      h("nav", { class: "toolbar", "aria-label": "Year" },
        h("a", { href: "/calendar?year=" + (year - 1) }, "← " + (year - 1)),
        h("a", { href: "/calendar?year=" + (year + 1) }, (year + 1) + " →"),
        csvLink("/v1/settlement-calendar", { year: year }, "settlement-calendar-" + year + ".csv")),
      next ? h("p", null, "Next publication: ", h("strong", { text: next.publicationDate }), " (settlement " + next.settlementDate + ")")
        : h("p", { class: "muted", text: "Every publication of " + year + " is past." }),
      table("Settlement and publication dates " + year, [
        { label: "Settlement date", text: true, value: function (r) { return r.settlementDate; } },
        { label: "Publication date", text: true, value: function (r) { return r.publicationDate; },
          cell: function (r) { return r === next ? [r.publicationDate, " ", h("strong", { text: "(next)" })] : r.publicationDate; } },
      ], rows, {}));
  }

  // ---------------------------------------------------------------- search (type-ahead)

  var SEARCH = "query Search($q: String!) { securities(search: $q, first: 8) { nodes { symbol name type } } }";
  var input = document.getElementById("search");
  var list = document.getElementById("search-results");
  var active = -1;
  var pending = 0;
  var timer = null;

  function options() { return Array.from(list.querySelectorAll("li[role=option]")); }
  function closeList() { list.hidden = true; input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant"); active = -1; }
  function highlight(i) {
    var opts = options();
    if (!opts.length) return;
    active = (i + opts.length) % opts.length;
    opts.forEach(function (o, j) { o.setAttribute("aria-selected", j === active ? "true" : "false"); });
    input.setAttribute("aria-activedescendant", opts[active].id);
    opts[active].scrollIntoView({ block: "nearest" });
  }
  function choose(symbol) { closeList(); input.value = ""; navigate("/security/" + encodeURIComponent(symbol)); }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    var text = input.value.trim();
    if (!text) { closeList(); return; }
    timer = setTimeout(async function () {
      var mine = ++pending;
      var nodes;
      try {
        nodes = (await gql(SEARCH, { q: text })).securities.nodes;
      } catch (error) {
        if (mine !== pending || input.value.trim() !== text) return;
        list.replaceChildren(h("li", { class: "muted", role: "presentation", text: error.message }));
        list.hidden = false;
        return;
      }
      // An older answer arriving late, or one for text since changed: the newer one will come.
      if (mine !== pending || input.value.trim() !== text) return;
      list.replaceChildren.apply(list, nodes.length ? nodes.map(function (n, i) {
        return h("li", { role: "option", id: "search-option-" + i, "aria-selected": "false", "data-symbol": n.symbol,
          onmousedown: function (e) { e.preventDefault(); choose(n.symbol); } },
        h("strong", { text: n.symbol }), h("span", { class: "muted", text: (n.name || "") + (n.type === "ETF" ? " (ETF)" : "") }));
      }) : [h("li", { class: "muted", role: "presentation", text: "No security matches " + text }) ]);
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
    }, 150);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") { event.preventDefault(); highlight(active + 1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active - 1); }
    else if (event.key === "Escape") { closeList(); }
  });
  input.addEventListener("blur", function () { setTimeout(closeList, 100); });
  document.getElementById("search-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var opts = options();
    if (active >= 0 && opts[active]) choose(opts[active].dataset.symbol);
    else if (input.value.trim()) choose(input.value.trim().toUpperCase());
  });

  // ---------------------------------------------------------------- routing

  var ROUTES = [
    [/^\/$/, function () { return homePage(); }],
    [/^\/security\/([^/]+)$/, function (m) { return securityPage(m[1]); }],
    [/^\/fund\/([^/]+)$/, function (m) { return fundPage(m[1]); }],
    [/^\/index\/([^/]+)$/, function (m) { return indexPage(m[1]); }],
    [/^\/screens$/, function () { return screensPage(); }],
    [/^\/calendar$/, function () { return calendarPage(); }],
  ];

  function decoded(text) {
    try { return decodeURIComponent(text).toUpperCase(); } catch (e) { return text; }
  }

  async function render() {
    var path = location.pathname;
    for (var i = 0; i < ROUTES.length; i++) {
      var m = ROUTES[i][0].exec(path);
      if (m) {
        if (m[1] !== undefined) m[1] = decoded(m[1]);
        try {
          await ROUTES[i][1](m);
        } catch (error) {
          showError(error);
        }
        // For tests and bench/webapp.py: when the page (data or an error) was drawn.
        performance.mark("shortflow:rendered");
        document.documentElement.dataset.rendered = path;
        return;
      }
    }
    notFound("Page", path);
  }

  function navigate(url) {
    history.pushState(null, "", url);
    render().then(function () { main.focus(); });
  }

  function setParams(changes) {
    var params = query();
    Object.keys(changes).forEach(function (k) {
      if (dash(changes[k])) params.delete(k);
      else params.set(k, changes[k]);
    });
    var search = params.toString();
    navigate(location.pathname + (search ? "?" + search : ""));
  }

  function setParam(name, value) { var c = {}; c[name] = value; setParams(c); }

  // Links inside the app change the page without a reload (a new browser history entry).
  document.addEventListener("click", function (event) {
    var a = event.target.closest && event.target.closest("a[href]");
    if (!a || a.classList.contains("csv") || a.hasAttribute("download") || event.defaultPrevented) return;
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    var url = new URL(a.href, location.href);
    if (url.origin !== location.origin) return;
    if (!ROUTES.some(function (r) { return r[0].test(url.pathname); })) return;
    event.preventDefault();
    navigate(url.pathname + url.search);
  });
  window.addEventListener("popstate", function () { render(); });
  window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", function () { render(); });

  render();
})();
