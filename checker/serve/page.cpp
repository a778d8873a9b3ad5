// The explorer's page, script and style, served by the binary itself (no
// network, no CDN). The script is plain JavaScript written by hand: it keeps
// the path (a .scn text) and the position, asks the API for the view of a
// position, and draws what the API answers; the process tree is the SVG of
// checker/engine/svg.cpp, drawn on the server.
#include "checker/serve/api.hpp"

namespace reapcheck::serve {

const char* const kPageHtml = R"HTML(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>reapcheck explorer</title>
<link rel="stylesheet" href="/app.css">
</head>
<body>
<header>
<h1>reapcheck explorer</h1>
<label>profile <select id="profile"></select></label>
<label>compare with <select id="compare"><option value="">(none)</option></select></label>
<span id="bounds" class="muted"></span>
</header>
<div id="error" role="alert" hidden></div>
<ul id="warnings"></ul>
<main>
<section id="world">
<h2>World at step <span id="at">0</span> of <span id="length">0</span></h2>
<div id="stmt" class="stmt"></div>
<div id="tree"></div>
<ul id="changes" class="changes"></ul>
</section>
<section id="enabled">
<h2>Enabled actions <span id="nactions" class="muted"></span></h2>
<p id="cmpnote" class="muted"></p>
<ol id="actions" start="0"></ol>
</section>
<section id="path">
<h2>Path</h2>
<p><button id="back" title="back (left arrow)">&#9664; back</button> <button id="forward" title="forward (right arrow)">forward &#9654;</button> <button id="restart">new path</button></p>
<ol id="history" start="0"></ol>
<h3>The path so far as .scn <button id="copy">copy</button> <button id="download">download</button></h3>
<pre id="scn"></pre>
</section>
<section id="props">
<h2>Properties at this state</h2>
<table id="properties"><thead><tr><th>property</th><th>kind</th><th>now</th><th>by the enabled actions</th></tr></thead><tbody></tbody></table>
</section>
<section id="open">
<h2>Open a counterexample</h2>
<p class="muted">A .scn trace, or a JSON report of check, review, bmc, prove or diff (docs/json-schema.md).</p>
<p><input type="file" id="file" accept=".scn,.json,text/plain,application/json"></p>
<textarea id="text" rows="6" placeholder="paste a .scn trace or a JSON report"></textarea>
<p><button id="load">open</button> <select id="entries" hidden></select></p>
</section>
</main>
<script id="initial" type="application/json">@INITIAL@</script>
<script src="/app.js"></script>
</body>
</html>
)HTML";

const char* const kAppCss = R"CSS(
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 0 1.2em 1em; color: #222; }
header { display: flex; gap: 1.2em; align-items: baseline; flex-wrap: wrap; border-bottom: 1px solid #ccc; }
h1 { font-size: 1.3em; margin: 0.5em 0; } h2 { font-size: 1.05em; margin: 0.6em 0 0.3em; }
h3 { font-size: 0.95em; margin: 0.8em 0 0.3em; }
main { display: grid; grid-template-columns: minmax(360px, 1fr) minmax(420px, 1.2fr); gap: 0 1.5em; }
#world { grid-row: span 2; } #props, #open { grid-column: span 2; }
.muted { color: #666; font-size: 0.85em; }
#error { background: #fbe0e0; border: 1px solid #c00; color: #900; padding: 0.4em 0.7em; margin: 0.5em 0; }
#warnings li { color: #8a4a00; }
.stmt, pre, code, #actions button, #history li { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.85em; }
.stmt { background: #eef3fb; padding: 3px 6px; display: inline-block; }
pre { background: #f7f7f7; border: 1px solid #ddd; padding: 0.5em; max-height: 16em; overflow: auto; }
.changes { font-size: 0.85em; color: #8a4a00; }
#tree { overflow-x: auto; }
#actions { padding-left: 2.2em; max-height: 34em; overflow-y: auto; }
#actions li { margin: 2px 0; }
#actions button { text-align: left; background: #f4f7fb; border: 1px solid #bcd; border-radius: 3px; cursor: pointer; }
#actions button:hover { background: #dde8f7; }
#actions li.kernel button { background: #f3eefb; border-color: #cbd; }
#actions li.next button { outline: 2px solid #e07000; }
.badge { display: inline-block; font-size: 0.75em; padding: 0 4px; margin-left: 4px; border-radius: 3px; }
.b-violates { background: #f4a6a6; } .b-covers { background: #bfdcf5; } .b-differs { background: #ffc680; }
.b-world { background: #fff0c0; } .b-error { background: #c00; color: #fff; }
.detail { font-size: 0.8em; color: #555; margin-left: 1em; }
#history li { cursor: pointer; } #history li.current { background: #ffe9b3; font-weight: bold; }
#history li.future { color: #888; } #history li.mismatch { color: #b00000; }
table { border-collapse: collapse; } th, td { border: 1px solid #bbb; padding: 2px 6px; font-size: 0.82em; vertical-align: top; text-align: left; }
th { background: #f0f0f0; } td.violated { background: #f4a6a6; font-weight: bold; } td.holds { background: #c9ecc9; }
td.hit { background: #bfdcf5; } td.na { color: #888; }
textarea { width: 100%; font-family: monospace; }
)CSS";

const char* const kAppJs = R"JS('use strict';
// reapcheck explorer: the page keeps the path (state.trace, a .scn text) and
// the position (state.at); the server replays it and answers the view.
let state = null;
let loaded = '';
const $ = (id) => document.getElementById(id);

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function showError(msg) {
  const e = $('error');
  e.textContent = msg;
  e.hidden = !msg;
}

async function post(url, body) {
  let r, j;
  try {
    r = await fetch(url, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
  } catch (err) {
    showError('the server does not answer: ' + err);
    return null;
  }
  try { j = await r.json(); } catch (err) { j = {error: 'the server answered ' + r.status + ' without JSON'}; }
  if (!r.ok || j.error) {
    showError(j.error || ('the server answered ' + r.status));
    return null;
  }
  return j;
}

function base() {
  return {profile: state.profile, compare: state.compare || null, trace: state.trace};
}

async function go(url, body) {
  const v = await post(url, body);
  if (v) render(v);
}

function stepBy(i) { go('/api/step', Object.assign(base(), {at: state.at, action: i})); }
function jump(at) {
  if (at < 0 || at > state.length) return;
  go('/api/view', Object.assign(base(), {at: at}));
}

function badge(cls, text, title) {
  const b = el('span', 'badge ' + cls, text);
  if (title) b.title = title;
  return b;
}

function fillSelect(sel, names, none) {
  sel.textContent = '';
  if (none) sel.appendChild(new Option('(none)', ''));
  for (const n of names) sel.appendChild(new Option(n, n));
}

function renderActions(v) {
  const ol = $('actions');
  ol.textContent = '';
  $('nactions').textContent = '(' + v.actions.length + ')';
  for (const a of v.actions) {
    const li = el('li', (a.kernel ? 'kernel' : '') + (a.next ? ' next' : ''));
    li.dataset.index = a.index;
    const b = el('button', '', a.statement + (a.result ? ' \u2192 ' + a.result : ''));
    b.dataset.index = a.index;
    b.addEventListener('click', () => stepBy(a.index));
    li.appendChild(b);
    for (const p of a.violates) li.appendChild(badge('b-violates', 'violates ' + p));
    for (const p of a.covers) li.appendChild(badge('b-covers', 'hits ' + p));
    if (a.error) li.appendChild(badge('b-error', 'error', a.error));
    if (a.compare) {
      const c = a.compare;
      if (c.unavailable) li.appendChild(badge('b-differs', 'not possible under ' + v.compare, c.unavailable));
      else if (c.differs) li.appendChild(badge('b-differs', v.compare + ': ' + (c.result || 'no result')));
      else if (c.world_differs) li.appendChild(badge('b-world', v.compare + ': other world', (c.changes || []).join('; ')));
    }
    if (a.changes.length) li.appendChild(el('div', 'detail', a.changes.join('; ')));
    ol.appendChild(li);
  }
}

function renderHistory(v) {
  const ol = $('history');
  ol.textContent = '';
  const items = [{text: 'initial world'}].concat(v.steps);
  items.forEach((s, i) => {
    let cls = i === v.at ? 'current' : (i > v.at ? 'future' : '');
    if (s.mismatch) cls += ' mismatch';
    let text = s.text;
    if (s.mismatch) text += '   (the trace said ' + s.expected + ')';
    const li = el('li', cls, text);
    li.addEventListener('click', () => jump(i));
    ol.appendChild(li);
  });
}

function renderProperties(v) {
  const tb = $('properties').tBodies[0];
  tb.textContent = '';
  for (const p of v.properties) {
    const tr = el('tr');
    tr.dataset.id = p.id;
    tr.dataset.now = p.now;
    const id = el('td');
    const code = el('code', '', p.id);
    code.title = p.claim + '\n' + p.source;
    id.appendChild(code);
    tr.appendChild(id);
    tr.appendChild(el('td', '', p.kind));
    const now = p.now === 'violated' ? 'violated' : (p.now === 'holds' ? 'holds' : (p.now === 'hit' ? 'hit' : (p.now === 'n/a' ? 'na' : '')));
    tr.appendChild(el('td', now, p.now));
    let by = '';
    if (p.violated_by.length) by += 'violated by action ' + p.violated_by.join(', ');
    if (p.hit_by.length) by += (by ? '; ' : '') + 'hit by action ' + p.hit_by.join(', ');
    tr.appendChild(el('td', p.violated_by.length ? 'violated' : '', by));
    tb.appendChild(tr);
  }
}

function syncUrl(v) {
  const q = new URLSearchParams();
  q.set('profile', v.profile);
  if (v.compare) q.set('compare', v.compare);
  if (v.path && v.path.length) q.set('path', v.path.join(','));
  if (v.path && v.at !== v.length) q.set('at', v.at);
  history.replaceState(null, '', '?' + q.toString());
}

function render(v) {
  state = v;
  showError('');
  document.body.dataset.profile = v.profile;   // for tests reading the DOM
  document.body.dataset.at = v.at;
  $('profile').value = v.profile;
  $('compare').value = v.compare || '';
  $('bounds').textContent = 'bounds: ' + v.bounds;
  $('at').textContent = v.at;
  $('length').textContent = v.length;
  $('stmt').textContent = v.at === 0 ? 'initial world' : v.steps[v.at - 1].text;
  $('tree').innerHTML = v.svg;   // drawn by the server (checker/engine/svg.cpp), escaped there
  const ch = $('changes');
  ch.textContent = '';
  for (const c of v.changes) ch.appendChild(el('li', '', c));
  const w = $('warnings');
  w.textContent = '';
  for (const m of v.warnings) w.appendChild(el('li', '', m));
  let note = '';
  if (v.comparison) {
    if (v.comparison.unavailable) note = 'under ' + v.compare + ' the path stops: ' + v.comparison.unavailable;
    else if (v.comparison.diverged) note = 'under ' + v.compare + ' the path already differs: ' + v.comparison.diverged;
    else note = 'orange: the result under ' + v.compare + ' differs; yellow: the same result, another world';
  }
  $('cmpnote').textContent = note;
  renderActions(v);
  renderHistory(v);
  renderProperties(v);
  $('scn').textContent = v.scn;
  $('back').disabled = v.at === 0;
  $('forward').disabled = v.at >= v.length;
  const sel = $('entries');
  if (v.entries) {
    fillSelect(sel, [], false);
    v.entries.forEach((label, i) => sel.appendChild(new Option(label, i)));
    sel.value = v.entry;
    sel.hidden = false;
  } else {
    sel.hidden = true;
  }
  syncUrl(v);
}

function download() {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([state.scn], {type: 'text/plain'}));
  a.download = 'path.scn';
  document.body.appendChild(a);
  a.click();
  a.remove();
}

function copy() {
  if (navigator.clipboard) {
    navigator.clipboard.writeText(state.scn).catch(() => selectScn());
  } else {
    selectScn();
  }
}

function selectScn() {
  const r = document.createRange();
  r.selectNodeContents($('scn'));
  const s = window.getSelection();
  s.removeAllRanges();
  s.addRange(r);
  document.execCommand('copy');
}

function openText(entry) {
  const body = {text: loaded, compare: state ? state.compare : null};
  if (entry !== undefined) body.entry = entry;
  go('/api/load', body);
}

function init() {
  const initial = JSON.parse($('initial').textContent);
  const info = initial.info;
  fillSelect($('profile'), info.profiles, false);
  fillSelect($('compare'), info.profiles, true);
  $('profile').addEventListener('change', (e) => go('/api/view', Object.assign(base(), {profile: e.target.value, at: state.at})));
  $('compare').addEventListener('change', (e) => go('/api/view', Object.assign(base(), {compare: e.target.value || null, at: state.at})));
  $('back').addEventListener('click', () => jump(state.at - 1));
  $('forward').addEventListener('click', () => jump(state.at + 1));
  $('restart').addEventListener('click', () => go('/api/view', {profile: state.profile, compare: state.compare || null}));
  $('copy').addEventListener('click', copy);
  $('download').addEventListener('click', download);
  $('load').addEventListener('click', () => { loaded = $('text').value; openText(); });
  $('entries').addEventListener('change', (e) => openText(Number(e.target.value)));
  $('file').addEventListener('change', (e) => {
    const f = e.target.files[0];
    if (!f) return;
    f.text().then((t) => { $('text').value = t; loaded = t; openText(); });
  });
  document.addEventListener('keydown', (e) => {
    if (!state || e.target.tagName === 'TEXTAREA' || e.target.tagName === 'SELECT' || e.target.tagName === 'INPUT') return;
    if (e.key === 'ArrowLeft') jump(state.at - 1);
    if (e.key === 'ArrowRight') jump(state.at + 1);
  });
  // #open=TEXT[&entry=N][&at=N][&profile=P]: open a .scn or a JSON report
  // given in the fragment (it never reaches the server's URL limit). Read
  // before render(), which rewrites the URL.
  const h = new URLSearchParams(location.hash.slice(1));
  render(initial);
  if (initial.error) showError(initial.error);   // a bad URL: the initial world, and why
  if (h.has('open')) {
    loaded = h.get('open');
    const body = {text: loaded, compare: state.compare || null};
    for (const k of ['entry', 'at']) if (h.has(k)) body[k] = Number(h.get(k));
    if (h.has('profile')) body.profile = h.get('profile');
    go('/api/load', body);
  }
}
init();
)JS";

}  // namespace reapcheck::serve
