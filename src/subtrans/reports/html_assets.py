"""The HTML report's style sheet and script, inlined into every page (:mod:`subtrans.reports.html`)."""

PAGE_ROWS = 200  # rows a page of a large file's table (see html.PAGED_FROM)

CSS = """
:root{--bg:#fff;--fg:#1c2230;--muted:#5a6375;--line:#dde2ea;--soft:#f4f6f9;--accent:#2457a6;
--ok:#8fa8c8;--excess:#c8283c;--zone:#fbe9eb;--limit:#a3192b;
--error:#b3192b;--warning:#a35c00;--info:#2a66b0;--pass:#1f7a35;--target:#fff4c2}
@media (prefers-color-scheme:dark){:root{--bg:#14171d;--fg:#e6e9ef;--muted:#9aa3b2;--line:#2f3541;--soft:#1c2028;
--accent:#8db4ff;--ok:#5f7aa0;--excess:#ff5a6e;--zone:#3a1d23;--limit:#ff7a88;--error:#ff6b7d;--warning:#f0a640;
--info:#79aef2;--pass:#5cc879;--target:#4a4220}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,
"Noto Sans","Noto Sans CJK SC","PingFang SC","Microsoft YaHei","Liberation Sans",sans-serif}
header.page,main{max-width:1180px;margin:0 auto;padding:0 24px}
header.page{padding-top:22px;padding-bottom:10px;border-bottom:1px solid var(--line)}
.kicker{margin:0;color:var(--muted);font-size:13px;letter-spacing:.06em;text-transform:uppercase}
h1{margin:2px 0 6px;font-size:26px}
h2{font-size:20px;margin:0 0 14px;display:flex;gap:12px;align-items:baseline;flex-wrap:wrap;word-break:break-all}
h3{font-size:16px;margin:22px 0 8px}
.headline{margin:0 0 4px;font-size:16px}
.verdict{display:inline-block;margin-left:8px;padding:1px 10px;border-radius:999px;font-weight:600;font-size:14px;
border:1.5px solid currentColor}
.verdict.fail{color:var(--error)}.verdict.pass{color:var(--pass)}
.sig{margin:0;color:var(--muted);font-size:12.5px}
code{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.9em;white-space:pre-wrap;word-break:break-word}
section.file{padding:22px 0 26px;border-bottom:1px solid var(--line)}
.status{font-size:14px;font-weight:500;color:var(--muted)}
.summary{display:grid;grid-template-columns:minmax(280px,2fr) 3fr;gap:18px 36px;align-items:start;margin-top:20px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(172px,1fr));gap:12px}
.card{border:1px solid var(--line);border-left:5px solid var(--muted);border-radius:8px;padding:8px 12px;
background:var(--soft)}
.card .big{display:block;font-size:28px;font-weight:700;line-height:1.1;font-variant-numeric:tabular-nums}
.card .big small{font-size:15px;font-weight:500;color:var(--muted)}
.card .what{font-size:13px;color:var(--muted)}
.card.sev-error{border-left-color:var(--error)}.card.sev-warning{border-left-color:var(--warning)}
.card.sev-info{border-left-color:var(--info)}.card.speed{border-left-color:var(--excess)}
.card.fastest{border-left-color:var(--ok)}
.card.zero{opacity:.6}.card.zero .big{font-weight:500}
.facts{margin:0;display:grid;grid-template-columns:1fr;gap:8px}
.facts div{min-width:0}.facts dt{font-size:12px;color:var(--muted)}.facts dd{margin:0;font-size:14px}
table{border-collapse:collapse;font-size:14px}
caption{text-align:left;font-weight:600;padding:0 0 6px}
th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
thead th{font-size:12.5px;color:var(--muted);font-weight:600;border-bottom:2px solid var(--line)}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.by-rule{width:100%;max-width:560px}.by-rule th[scope=row]{font-weight:500}
.barcell{width:30%}.hbar{display:block;height:9px;border-radius:3px;background:var(--muted);min-width:3px}
.hbar.sev-error{background:var(--error)}.hbar.sev-warning{background:var(--warning)}
.hbar.sev-info{background:var(--info)}
.code{font-size:11.5px;color:var(--muted);font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace}
.sev{white-space:nowrap;font-weight:600}
.sev-error .shape,.sev.sev-error{color:var(--error)}.sev.sev-warning{color:var(--warning)}
.sev.sev-info{color:var(--info)}
figure.timeline{margin:18px 0 0;padding:12px 14px 10px;border:1px solid var(--line);border-radius:10px}
figure.timeline h3{margin:0 0 4px;display:inline-block}
.legend{list-style:none;margin:0 0 4px;padding:0;display:flex;flex-wrap:wrap;gap:4px 16px;font-size:12.5px;
color:var(--muted)}
.legend li{display:flex;align-items:center;gap:5px}
.key{display:inline-block;width:14px;height:10px;border-radius:2px}
.key-ok{background:var(--ok)}.key-excess{background:var(--excess)}
.key-limit{height:0;border-top:2px dashed var(--limit);width:18px}
.key-shape{width:14px;height:14px}
.chart{display:block;width:100%;height:auto;overflow:visible}
.chart .zone{fill:var(--zone)}
.chart .zone-label{fill:var(--limit);font-size:12px;font-weight:600;opacity:.85}
.chart .grid{stroke:var(--line);stroke-width:1}
.chart .axis{stroke:var(--muted);stroke-width:1.2}.chart .tickmark{stroke:var(--muted)}
.chart .tick{fill:var(--muted);font-size:11.5px;font-variant-numeric:tabular-nums}
.chart .axis-title{fill:var(--muted);font-size:11.5px;font-weight:600}
.chart .guide{stroke:var(--muted);stroke-width:1;stroke-dasharray:2 3;opacity:.45}
.chart .bar .ok{fill:var(--ok)}.chart .bar .excess{fill:var(--excess)}
.chart .bar:hover rect{opacity:.75}
.chart .value{fill:var(--excess);font-size:12px;font-weight:700;font-variant-numeric:tabular-nums}
.chart .limit{stroke:var(--limit);stroke-width:1.6;stroke-dasharray:7 4}
.chart .limit-label{fill:var(--limit);font-size:11.5px;font-weight:600;paint-order:stroke;stroke:var(--bg);
stroke-width:3px}
.chart .more{fill:var(--muted);font-size:11px}
.chart .lane-label{fill:var(--muted);font-size:10px}
.mark path,.mark circle,.key-shape path,.key-shape circle{stroke:var(--bg);stroke-width:1}
.sev-error path,.sev-error circle{fill:var(--error)}.sev-warning path,.sev-warning circle{fill:var(--warning)}
.sev-info path,.sev-info circle{fill:var(--info)}
.mark{cursor:pointer}.mark:hover path,.mark:hover circle,.mark:focus-visible path,.mark:focus-visible circle{
stroke:var(--fg);stroke-width:2}
.mark:focus{outline:none}
.mark.dim{opacity:.18}
figcaption{font-size:13.5px;color:var(--muted);margin-top:6px}
details.speeds{margin-top:6px;font-size:13.5px}
details.speeds summary{cursor:pointer;color:var(--accent)}
details.speeds table{margin-top:6px}
details.speeds tr.over td{color:var(--excess);font-weight:600}
.filters{display:flex;flex-wrap:wrap;gap:8px 18px;align-items:center;margin:0 0 8px;font-size:14px}
.filters select{font:inherit;padding:3px 6px;margin-left:4px;border:1px solid var(--line);border-radius:6px;
background:var(--bg);color:var(--fg)}
.filters output{color:var(--muted)}
.table-wrap{overflow-x:auto}
.pager{display:flex;gap:12px;align-items:center;margin:6px 0;font-size:14px}
.pager button{font:inherit;padding:3px 10px;border:1px solid var(--line);border-radius:6px;background:var(--bg);
color:var(--fg);cursor:pointer}.pager button:disabled{opacity:.45;cursor:default}
table.findings{width:100%}
table.pairs{width:100%}
table.pairs td{vertical-align:top}
table.pairs tr.mismatch>:first-child{border-left:4px solid var(--warn, #a15c00)}
table.pairs mark{background:#fff1a8;color:inherit;padding:0 1px;border-bottom:2px solid #c9a400}
a.pair-flag{display:block}
table.findings tbody th{font-weight:600}
table.findings small{display:block;font-weight:400;font-size:11.5px;color:var(--muted)}
table.findings tr.finding{scroll-margin-top:40px}
table.findings tr.finding>:first-child{border-left:4px solid transparent}
table.findings tr.sev-error>:first-child{border-left-color:var(--error)}
table.findings tr.sev-warning>:first-child{border-left-color:var(--warning)}
table.findings tr.sev-info>:first-child{border-left-color:var(--info)}
table.findings tr:target{background:var(--target)}
table.findings tr:target>:first-child{outline:2px solid var(--accent);outline-offset:-2px}
td.time{white-space:nowrap;font-variant-numeric:tabular-nums;font-size:13px}
td.msg{min-width:16em}td.val{max-width:16em}td.text{min-width:12em;max-width:24em}
table.findings thead button{font:inherit;font-weight:600;color:inherit;background:none;border:0;padding:0;
cursor:pointer;text-align:left}
table.findings th[aria-sort=ascending] button::after{content:" \\25B2"}
table.findings th[aria-sort=descending] button::after{content:" \\25BC"}
.filters input[type=search]{font:inherit;padding:3px 6px;margin-left:4px;border:1px solid var(--line);
border-radius:6px;background:var(--bg);color:var(--fg);min-width:14em}
.clean{font-size:15px;color:var(--pass);font-weight:600}
.error-box{border:1px solid var(--error);border-left:5px solid var(--error);border-radius:8px;padding:10px 14px}
.error-box p{margin:0 0 6px}.error-box .shape{color:var(--error)}
table.overview{width:100%;margin:18px 0 4px}
a{color:var(--accent)}
.visually-hidden{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);
white-space:nowrap}
@media (max-width:760px){.summary{grid-template-columns:1fr}}
@media print{
:root{--bg:#fff;--fg:#000;--muted:#444;--line:#ccc;--soft:#fff}
body{font-size:10pt}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
.filters{display:none!important}
section.file+section.file{break-before:page}
figure.timeline,.summary,tr{break-inside:avoid}
a{color:inherit;text-decoration:none}
header.page,main{max-width:none;padding:0}
.table-wrap{overflow:visible}
.cards{grid-template-columns:repeat(5,1fr);gap:8px}.card .big{font-size:22px}
.summary{grid-template-columns:2fr 3fr}
}
"""

SCRIPT = """
(function () {
  "use strict";
  var params = new URLSearchParams(location.search), sections = [];
  var SEVS = ["", "info", "warning", "error"], PAGE = PAGE_ROWS_VALUE;
  function esc(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }
  function stamp(ms, sep) {
    var h = Math.floor(ms / 3600000), m = Math.floor(ms / 60000) % 60, s = Math.floor(ms / 1000) % 60;
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return two(h) + ":" + two(m) + ":" + two(s) + sep + ("00" + (ms % 1000)).slice(-3);
  }
  function num(v) {
    if (v === null || v === undefined) return "";
    return typeof v === "string" ? "<code>" + esc(v) + "</code>" : esc(v);
  }
  document.querySelectorAll("section.file").forEach(function (sec) {
    var table = sec.querySelector("table.findings");
    if (!table) return;
    var box = sec.querySelector(".filters"), out = box.querySelector("output");
    var rule = box.querySelector("[data-filter=rule]"), sev = box.querySelector("[data-filter=severity]");
    var q = box.querySelector("[data-filter=q]");
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var cols = heads.map(function (th) { return th.getAttribute("data-col"); });
    var marks = Array.prototype.slice.call(sec.querySelectorAll(".mark"));
    var none = sec.querySelector(".no-match"), blob = sec.querySelector("script.findings-data");
    var key = sec.id, view;
    if (blob) {  // a large file: rows drawn from the data, a page at a time
      var data = JSON.parse(blob.textContent), pager = sec.querySelector(".pager"), page = 0;
      var info = pager.querySelector(".page-info"), order = data.rows.map(function (r, n) { return n; });
      var hay = [];
      var rowText = function (n) { var t = data.rows[n][5]; return t < 0 ? "" : data.texts[t]; };
      var sortKey = {
        cue: function (n) { return data.rows[n][0]; }, time: function (n) { return data.rows[n][3]; },
        text: function (n) { return rowText(n).toLowerCase(); },
        rule: function (n) { return data.rules[data.rows[n][6]]; }, severity: function (n) { return data.rows[n][7]; },
        message: function (n) { return data.rows[n][8].toLowerCase(); },
        value: function (n) { var v = data.rows[n][9]; return v === null ? -Infinity : v; },
        limit: function (n) { var v = data.rows[n][10]; return v === null ? -Infinity : v; }
      };
      var matchesRow = function (n) {
        var r = data.rows[n], words = q.value.trim().toLowerCase();
        if (rule.value && data.rules[r[6]] !== rule.value) return false;
        if (sev.value && SEVS[r[7]] !== sev.value) return false;
        if (!words) return true;
        if (hay[n] === undefined) {
          hay[n] = [r[0] || "file", r[3] < 0 ? "" : stamp(r[3], data.sep) + " → " + stamp(r[4], data.sep),
                    rowText(n), data.rules[r[6]], data.codes[r[6]], SEVS[r[7]], r[8], r[9], r[10]].join(" ").toLowerCase();
        }
        return hay[n].indexOf(words) !== -1;
      };
      var rowHtml = function (n) {
        var r = data.rows[n], s = SEVS[r[7]], sub = [];
        if (r[1] !== null) sub.push("id " + esc(r[1]));
        if (r[2]) sub.push("line " + r[2]);
        return '<tr id="' + key + "-r" + (n + 1) + '" class="finding sev-' + s + '" data-rule="' + esc(data.rules[r[6]]) +
          '" data-severity="' + s + '"><th scope="row" class="num">' + (r[0] || "file") +
          (sub.length ? "<small>" + sub.join(" · ") + "</small>" : "") + '</th><td class="time">' +
          (r[3] < 0 ? "" : stamp(r[3], data.sep) + " → " + stamp(r[4], data.sep)) + '</td><td class="text" lang="' +
          data.lang + '">' + esc(rowText(n)).replace(/\\n/g, "<br>") + "</td><td>" + esc(data.rules[r[6]]) +
          ' <span class="code">' + esc(data.codes[r[6]]) + "</span></td><td>" + s + '</td><td class="msg">' +
          esc(r[8]) + '</td><td class="val">' + num(r[9]) + '</td><td class="val">' + num(r[10]) + "</td></tr>";
      };
      var shownList = order;
      view = {
        apply: function () {
          shownList = order.filter(matchesRow);
          var pages = Math.max(1, Math.ceil(shownList.length / PAGE));
          page = Math.min(page, pages - 1);
          var slice = shownList.slice(page * PAGE, (page + 1) * PAGE);
          table.tBodies[0].innerHTML = slice.map(rowHtml).join("");
          out.textContent = shownList.length + " of " + data.rows.length + " findings shown";
          info.textContent = shownList.length ? "rows " + (page * PAGE + 1) + "–" + (page * PAGE + slice.length) +
            " of " + shownList.length + ", page " + (page + 1) + " of " + pages : "";
          pager.querySelector("[data-page=prev]").disabled = page === 0;
          pager.querySelector("[data-page=next]").disabled = page >= pages - 1;
          none.hidden = shownList.length > 0;
        },
        sort: function (i, dir) {
          var k = sortKey[cols[i]], d = dir === "descending" ? -1 : 1;
          var keyed = order.map(function (n) { return [k(n), n]; });
          keyed.sort(function (a, b) { return a[0] < b[0] ? -d : a[0] > b[0] ? d : a[1] - b[1]; });
          order = keyed.map(function (x) { return x[1]; });
          page = 0;
        },
        show: function (n) {  // the page that holds finding n (0-based), its filters dropped
          rule.value = ""; sev.value = ""; q.value = "";
          shownList = order;
          page = Math.floor(order.indexOf(n) / PAGE);
          view.apply();
        },
        first: function () { page = 0; }
      };
      pager.querySelector("[data-page=prev]").addEventListener("click", function () { page--; view.apply(); });
      pager.querySelector("[data-page=next]").addEventListener("click", function () { page++; view.apply(); });
      pager.hidden = false;
    } else {  // rows in the page: shown or hidden, moved to sort
      var rows = Array.prototype.slice.call(table.tBodies[0].rows);
      var cellKey = function (tr, i) {
        var cell = tr.cells[i], v = cell.getAttribute("data-sort");
        return v !== null ? parseFloat(v) : cell.textContent.trim().toLowerCase();
      };
      view = {
        apply: function () {
          var shown = 0;
          rows.forEach(function (tr) { var ok = matches(tr); tr.hidden = !ok; if (ok) shown++; });
          out.textContent = shown + " of " + rows.length + " findings shown";
          none.hidden = shown > 0;
        },
        sort: function (i, dir) {  // a stable sort: equal keys keep the file's order
          var d = dir === "descending" ? -1 : 1;
          var sorted = rows.map(function (tr, n) { return [cellKey(tr, i), n, tr]; });
          sorted.sort(function (a, b) { return a[0] < b[0] ? -d : a[0] > b[0] ? d : a[1] - b[1]; });
          sorted.forEach(function (x) { table.tBodies[0].appendChild(x[2]); });
        },
        show: function () { rule.value = ""; sev.value = ""; q.value = ""; view.apply(); },
        first: function () {}
      };
    }
    function matches(el) {
      var words = q.value.trim().toLowerCase();
      return (!rule.value || el.getAttribute("data-rule") === rule.value) &&
             (!sev.value || el.getAttribute("data-severity") === sev.value) &&
             (!words || el.tagName !== "TR" || el.textContent.toLowerCase().indexOf(words) !== -1);
    }
    function apply() {
      view.apply();
      if (!blob) marks.forEach(function (m) { m.classList.toggle("dim", !matches(m)); });
    }
    function sortBy(i, dir) {
      view.sort(i, dir);
      heads.forEach(function (th, n) { th.setAttribute("aria-sort", n === i ? dir : "none"); });
    }
    heads.forEach(function (th, i) {
      th.querySelector("button").addEventListener("click", function () {
        sortBy(i, th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending");
        apply();
      });
    });
    function pick(select, value) {  // from the address; a rule this file lacks still filters (to nothing)
      if (!value) return;
      if (!select.querySelector('option[value="' + CSS.escape(value) + '"]')) {
        if (select === sev) return;
        select.add(new Option(value + " (0)", value));
      }
      select.value = value;
    }
    pick(rule, params.get("rule"));
    pick(sev, params.get("severity"));
    if (params.get("q")) q.value = params.get("q");
    var byCol = cols.indexOf(params.get("sort"));
    if (byCol !== -1) sortBy(byCol, params.get("order") === "desc" ? "descending" : "ascending");
    function refilter() { view.first(); apply(); }
    rule.addEventListener("change", refilter);
    sev.addEventListener("change", refilter);
    q.addEventListener("input", refilter);
    sec.querySelectorAll("[data-set-rule]").forEach(function (a) {
      a.addEventListener("click", function () {
        rule.value = a.getAttribute("data-set-rule"); sev.value = ""; refilter();
      });
    });
    box.hidden = false;
    apply();
    sections.push({ sec: sec, key: key, paged: !!blob, show: function (n) { view.show(n); apply(); } });
  });
  function reveal() {
    var id = decodeURIComponent(location.hash.slice(1)), row = id && document.getElementById(id);
    if (!id) return;
    if (!row || row.hidden) {
      var m = /^(.+)-r(\\d+)$/.exec(id);
      sections.forEach(function (s) {
        if (m && s.key === m[1]) s.show(parseInt(m[2], 10) - 1);
        else if (row && s.sec.contains(row)) s.show(0);
      });
      row = document.getElementById(id);
    }
    if (row) row.scrollIntoView({ block: "center" });
  }
  window.addEventListener("hashchange", reveal);
  reveal();
  document.documentElement.setAttribute("data-ready", "");
})();
""".replace("PAGE_ROWS_VALUE", str(PAGE_ROWS))
