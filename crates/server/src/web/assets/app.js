// Sponsorhub web UI: dialogs, confirmations and the live leads dashboard.
// No dependencies; every page also works without it (links and plain forms).
(function () {
  'use strict';

  // ---- dialogs: [data-open-dialog=id] opens, [data-close-dialog] closes
  function openDialog(d) {
    if (!d || typeof d.showModal !== 'function') return false;
    d.showModal();
    var first = d.querySelector('input:not([type=hidden]):not([type=radio]), select, textarea');
    if (first) first.focus();
    return true;
  }

  document.addEventListener('click', function (e) {
    var t = e.target;
    if (!(t instanceof Element)) return;
    var opener = t.closest('[data-open-dialog]');
    if (opener) {
      if (openDialog(document.getElementById(opener.getAttribute('data-open-dialog')))) e.preventDefault();
      return;
    }
    var closer = t.closest('[data-close-dialog]');
    if (closer) {
      var dlg = closer.closest('dialog');
      if (dlg) dlg.close();
      return;
    }
    // The invitation dialog of the sponsor page: one dialog, aimed at the card's sponsor.
    var invite = t.closest('[data-invite]');
    if (invite) {
      var d = document.getElementById('invite');
      if (!d) return;
      var form = d.querySelector('form');
      form.reset();
      form.setAttribute('action', invite.getAttribute('data-invite'));
      var name = d.querySelector('[data-invite-sponsor]');
      if (name) name.textContent = ' · ' + invite.getAttribute('data-sponsor-name');
      if (openDialog(d)) e.preventDefault();
      return;
    }
    // A click on the backdrop closes a dialog.
    if (t.tagName === 'DIALOG') t.close();
  });

  // A form re-rendered with errors opens in its dialog again.
  Array.prototype.forEach.call(document.querySelectorAll('dialog[data-open]'), openDialog);

  // ---- confirmations: <form data-confirm="...">
  document.addEventListener('submit', function (e) {
    var f = e.target;
    var question = f.getAttribute && f.getAttribute('data-confirm');
    if (question && !window.confirm(question)) e.preventDefault();
  });

  // ---- copy buttons: <button data-copy="#input"> (a service token shown once)
  document.addEventListener('click', function (e) {
    var b = e.target.closest && e.target.closest('[data-copy]');
    if (!b) return;
    var input = document.querySelector(b.getAttribute('data-copy'));
    if (!input) return;
    input.select();
    var done = function () { b.textContent = 'Copied'; };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(input.value).then(done, function () {});
    else if (document.execCommand && document.execCommand('copy')) done();
  });

  // ---- the live leads dashboard
  var table = document.querySelector('[data-leads]');
  if (table && window.EventSource) live(table);

  function live(table) {
    var rows = table.querySelector('[data-rows]');
    var empty = document.querySelector('[data-empty]');
    var status = document.querySelector('[data-live-status]');
    var label = status && status.querySelector('[data-live-text]');
    var params = new URLSearchParams(location.search);
    var firstPage = !params.get('cursor');
    var announcer = document.createElement('div');
    announcer.className = 'sr-only';
    announcer.setAttribute('aria-live', 'polite');
    document.body.appendChild(announcer);

    function state(name, text) {
      if (!status) return;
      status.setAttribute('data-state', name);
      label.textContent = text;
    }

    // Would the server list this lead with the page's filters?
    function matches(d) {
      var level = params.get('intent_level');
      var st = params.get('status');
      var q = (params.get('search') || '').trim().toLowerCase();
      if (level && d.intentLevel !== level) return false;
      if (st && d.status !== st) return false;
      if (params.get('starred') && !d.starred) return false;
      if (!params.get('archived') && d.archived) return false;
      if (q && d.text.indexOf(q) < 0) return false;
      return true;
    }

    function toggleEmpty() {
      if (empty) empty.hidden = rows.children.length > 0;
    }

    function highlight(row) {
      row.classList.remove('is-new');
      void row.offsetWidth;
      row.classList.add('is-new');
    }

    function rowFrom(html) {
      var tmp = document.createElement('tbody');
      tmp.innerHTML = html.trim();
      return tmp.firstElementChild;
    }

    function place(d, fresh) {
      var old = document.getElementById('lead-' + d.id);
      if (!matches(d)) {
        if (old) old.remove();
        toggleEmpty();
        return;
      }
      var row = rowFrom(d.html);
      if (old) old.replaceWith(row);
      else if (fresh && firstPage) {
        rows.insertBefore(row, rows.firstChild);
        grown();
      } else return;
      highlight(row);
      toggleEmpty();
    }

    // A new lead on the first page pushes its last row to the next page: the page
    // keeps its size, and its count says one more.
    function grown() {
      var size = Number(table.getAttribute('data-page-size')) || 50;
      while (rows.children.length > size) rows.lastElementChild.remove();
      var count = document.querySelector('[data-page-count]');
      if (!count) return;
      var total = Number(count.getAttribute('data-total')) + 1;
      count.setAttribute('data-total', String(total));
      count.textContent = 'Leads 1–' + rows.children.length + ' of ' + total;
    }

    function intent(d) {
      var row = document.getElementById('lead-' + d.leadId);
      if (!row) return;
      var level = params.get('intent_level');
      if (level && level !== d.intentLevel) {
        row.remove();
        toggleEmpty();
        return;
      }
      row.setAttribute('data-level', d.intentLevel);
      row.querySelector('[data-field=score]').textContent = d.intentScore;
      var fill = row.querySelector('.score-fill');
      fill.style.width = d.intentScore + '%';
      fill.className = 'score-fill level-' + d.intentLevel;
      var badge = row.querySelector('[data-field=intent]');
      badge.textContent = d.intentLabel;
      badge.className = 'badge intent intent-' + d.intentLevel;
      row.querySelector('[data-field=count]').textContent = d.interactionCount;
      row.querySelector('[data-field=when]').textContent = d.lastSeen;
      // The default order is the latest interaction first.
      if (!params.get('sort') && firstPage) rows.insertBefore(row, rows.firstChild);
      highlight(row);
    }

    // The statistics cards (and after a gap, the table) come from the page itself.
    var pending = null;
    function refresh(table) {
      clearTimeout(pending);
      pending = setTimeout(function () {
        fetch(location.href, { headers: { Accept: 'text/html' }, credentials: 'same-origin' })
          .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
          .then(function (html) {
            var doc = new DOMParser().parseFromString(html, 'text/html');
            var stats = doc.querySelector('[data-stats]');
            if (stats) document.querySelector('[data-stats]').innerHTML = stats.innerHTML;
            var count = doc.querySelector('[data-page-count]');
            var mine = document.querySelector('[data-page-count]');
            if (count && mine) mine.replaceWith(count);
            if (table) {
              var fresh = doc.querySelector('[data-rows]');
              if (fresh) rows.innerHTML = fresh.innerHTML;
              toggleEmpty();
            }
          })
          .catch(function () {});
      }, table ? 0 : 300);
    }

    var source = new EventSource(table.getAttribute('data-feed'));
    var broken = false;
    source.onopen = function () {
      state('live', 'Live');
      if (broken) refresh(true);
      broken = false;
    };
    source.onerror = function () {
      broken = true;
      state('offline', 'Reconnecting…');
    };
    source.addEventListener('lead.captured.new', function (e) {
      var d = JSON.parse(e.data);
      place(d, true);
      announcer.textContent = 'New lead: ' + d.name;
      refresh(false);
    });
    source.addEventListener('lead.updated', function (e) {
      place(JSON.parse(e.data), false);
      refresh(false);
    });
    source.addEventListener('lead.intent.updated', function (e) {
      intent(JSON.parse(e.data));
      refresh(false);
    });
    // An erased lead (the attendee withdrew, or retention ran out) leaves the
    // page at once; the statistics and the count follow.
    source.addEventListener('lead.erased', function (e) {
      var row = document.getElementById('lead-' + JSON.parse(e.data).id);
      if (row) row.remove();
      toggleEmpty();
      announcer.textContent = 'A lead was erased at the attendee\'s request or at the end of retention.';
      refresh(false);
    });
    source.addEventListener('resync', function () {
      refresh(true);
    });
  }

  // ---- the analytics page: its charts are fetched again (at most every 3 s)
  // while the sponsor's live feed reports captures and changes
  var charts = document.querySelector('[data-analytics]');
  if (charts && window.EventSource) liveCharts(charts);

  function liveCharts(box) {
    var status = document.querySelector('[data-live-status]');
    var label = status && status.querySelector('[data-live-text]');
    var waiting = null;
    var last = 0;
    function state(name, text) {
      if (!status) return;
      status.setAttribute('data-state', name);
      label.textContent = text;
    }
    function reload() {
      if (waiting) return;
      var wait = Math.max(0, 3000 - (Date.now() - last));
      waiting = setTimeout(function () {
        last = Date.now();
        fetch(box.getAttribute('data-src'), { credentials: 'same-origin' })
          .then(function (r) { return r.ok ? r.text() : null; })
          .then(function (html) {
            waiting = null;
            if (html === null) return;
            // keep the data tables a person opened open
            var open = Array.prototype.map.call(box.querySelectorAll('details[open]'), function (d) {
              return d.parentNode.id || d.parentNode.getAttribute('aria-labelledby');
            });
            box.innerHTML = html;
            open.forEach(function (key) {
              var fig = box.querySelector('[aria-labelledby="' + key + '"]');
              var d = fig && fig.querySelector('details');
              if (d) d.open = true;
            });
          })
          .catch(function () { waiting = null; });
      }, wait);
    }
    var source = new EventSource(box.getAttribute('data-feed'));
    var broken = false;
    source.onopen = function () {
      state('live', 'Live');
      if (broken) reload();
      broken = false;
    };
    source.onerror = function () {
      broken = true;
      state('offline', 'Reconnecting…');
    };
    ['lead.captured.new', 'lead.updated', 'lead.intent.updated', 'lead.erased', 'resync'].forEach(function (name) {
      source.addEventListener(name, reload);
    });
  }
})();

// ---- a conversation's live feed (the messages pages): new messages appear
// without a reload (docs/DECISIONS.md, "Messaging")
(function () {
  'use strict';
  var list = document.querySelector('[data-messages][data-feed]');
  if (!list || !window.EventSource) return;
  var seen = {};
  var source = new EventSource(list.getAttribute('data-feed'));
  source.addEventListener('message.new', function (e) {
    var d = JSON.parse(e.data);
    if (seen[d.id]) return;
    seen[d.id] = true;
    var empty = document.querySelector('[data-messages-empty]');
    if (empty) empty.remove();
    var li = document.createElement('li');
    li.className = 'msg' + (d.mine ? ' msg-mine' : '');
    var body = document.createElement('p');
    body.className = 'msg-body';
    body.textContent = d.body;
    var meta = document.createElement('p');
    meta.className = 'muted msg-meta';
    meta.textContent = d.senderName + ' · ' + d.at;
    li.appendChild(body);
    li.appendChild(meta);
    list.appendChild(li);
  });
})();
