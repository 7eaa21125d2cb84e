// Progressive enhancement only: every page works without this file.
(function () {
  'use strict';

  // An overview map: a click anywhere gives the exact point, not only the
  // sector, so the sector page can mark the home.
  document.querySelectorAll('svg[data-locate]').forEach(function (svg) {
    svg.addEventListener('click', function (event) {
      // Keyboard activation of a sector link has no position: keep the link.
      if (event.detail === 0 || !svg.getScreenCTM) return;
      var ctm = svg.getScreenCTM();
      if (!ctm) return;
      var point = svg.createSVGPoint();
      point.x = event.clientX;
      point.y = event.clientY;
      var p = point.matrixTransform(ctm.inverse());
      var d = svg.dataset;
      var lon = (p.x - Number(d.b)) / Number(d.a);
      var lat = (p.y - Number(d.d)) / Number(d.c);
      if (!isFinite(lon) || !isFinite(lat)) return;
      event.preventDefault();
      window.location.href = '/secteur?lat=' + lat.toFixed(6) + '&lon=' + lon.toFixed(6);
    });
  });

  // Address suggestions as one types. Any failure leaves the plain form.
  var input = document.querySelector('input[data-suggest]');
  if (!input || !window.fetch) return;
  var list = document.getElementById(input.getAttribute('data-suggest'));
  if (!list) return;
  // Plain links under the field, announced by a live region: no widget
  // role to get half right.
  var status = document.getElementById('adresse-status');
  var timer = null;
  var sequence = 0;

  function announce(count) {
    if (status) status.textContent = count ? count + ' ' + status.getAttribute('data-found') : '';
  }

  function close() {
    list.hidden = true;
    list.textContent = '';
    announce(0);
  }

  function show(hits) {
    list.textContent = '';
    hits.forEach(function (hit) {
      var item = document.createElement('li');
      var link = document.createElement('a');
      link.href = '/secteur?adresse=' + encodeURIComponent(hit.label);
      link.textContent = hit.label;
      item.appendChild(link);
      list.appendChild(item);
    });
    list.hidden = hits.length === 0;
    announce(hits.length);
  }

  input.addEventListener('input', function () {
    clearTimeout(timer);
    var query = input.value.trim();
    if (query.length < 3) { close(); return; }
    timer = setTimeout(function () {
      var mine = ++sequence;
      fetch('/adresses/suggestions?limit=5&q=' + encodeURIComponent(query), { headers: { Accept: 'application/json' } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (hits) { if (mine === sequence) show(Array.isArray(hits) ? hits : []); })
        .catch(close);
    }, 250);
  });

  input.addEventListener('keydown', function (event) {
    if (event.key === 'ArrowDown' && !list.hidden) {
      var first = list.querySelector('a');
      if (first) { event.preventDefault(); first.focus(); }
    } else if (event.key === 'Escape') {
      close();
    }
  });

  list.addEventListener('keydown', function (event) {
    var links = Array.prototype.slice.call(list.querySelectorAll('a'));
    var i = links.indexOf(document.activeElement);
    if (event.key === 'ArrowDown' && i < links.length - 1) { event.preventDefault(); links[i + 1].focus(); }
    else if (event.key === 'ArrowUp') { event.preventDefault(); (i > 0 ? links[i - 1] : input).focus(); }
    else if (event.key === 'Escape') { close(); input.focus(); }
  });
})();
