// The capture page's badge scanner: the camera reads the badge's QR code into the
// badge field and submits the form, which records the interaction in one step.
// The browser's BarcodeDetector is used where there is one; elsewhere the
// vendored ponyfill (assets/vendor/README.md), whose reader is served from here.
// A keyboard-wedge scanner needs none of this: it types into the field and
// presses Enter. Scanning stays on from one capture to the next until stopped.
(function () {
  'use strict';
  var form = document.querySelector('form[data-scan]');
  if (!form) return;
  var input = form.querySelector('#c-code');
  var start = document.getElementById('scan-start');
  var stop = document.getElementById('scan-stop');
  var video = document.getElementById('scan-video');
  var status = document.getElementById('scan-status');
  var KEY = 'sponsorhub-scanning';
  // After a capture the camera comes back on by itself; the badge just recorded,
  // still in front of it, is not recorded again until another one is read or
  // staff press Scan themselves.
  var LAST = 'sponsorhub-last-badge';
  var stream = null;
  var timer = null;

  function say(text) { status.textContent = text; }

  function loadPonyfill() {
    return new Promise(function (ok, fail) {
      if (window.BarcodeDetectionAPI) return ok();
      var s = document.createElement('script');
      s.src = '/assets/vendor/barcode-detector.js';
      s.onload = function () { ok(); };
      s.onerror = function () { fail(new Error('the QR reader did not load')); };
      document.head.appendChild(s);
    });
  }

  function detector() {
    if ('BarcodeDetector' in window) {
      return Promise.resolve(new window.BarcodeDetector({ formats: ['qr_code'] }));
    }
    return loadPonyfill().then(function () {
      var api = window.BarcodeDetectionAPI;
      api.prepareZXingModule({
        overrides: {
          locateFile: function (path, prefix) {
            return path.endsWith('.wasm') ? '/assets/vendor/zxing_reader.wasm' : prefix + path;
          }
        }
      });
      return new api.BarcodeDetector({ formats: ['qr_code'] });
    });
  }

  function halt() {
    if (timer) clearTimeout(timer);
    timer = null;
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    video.hidden = true;
    stop.hidden = true;
    start.hidden = false;
  }

  function scan(det) {
    timer = setTimeout(function () {
      if (!stream || video.readyState < 2) return scan(det);
      det.detect(video).then(function (codes) {
        var code = codes.length ? codes[0].rawValue.trim() : '';
        if (!code) return scan(det);
        if (code === sessionStorage.getItem(LAST)) {
          say('Ready for the next badge.');
          return scan(det);
        }
        sessionStorage.setItem(LAST, code);
        input.value = code;
        say('Badge read. Recording…');
        halt();
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      }).catch(function () { scan(det); });
    }, 150);
  }

  function begin() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      say('This browser cannot open the camera here: type or scan the code into the field.');
      return;
    }
    say('Opening the camera…');
    Promise.all([
      detector(),
      navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false })
    ]).then(function (r) {
      stream = r[1];
      video.srcObject = stream;
      video.hidden = false;
      start.hidden = true;
      stop.hidden = false;
      sessionStorage.setItem(KEY, 'on');
      return video.play().then(function () {
        say('Point the camera at the badge’s QR code.');
        scan(r[0]);
      });
    }).catch(function (e) {
      halt();
      sessionStorage.removeItem(KEY);
      say('The camera could not be opened (' + (e && e.name ? e.name : 'error') + '): type or scan the code into the field.');
    });
  }

  start.hidden = false;
  start.addEventListener('click', function () {
    sessionStorage.removeItem(LAST);
    begin();
  });
  stop.addEventListener('click', function () {
    sessionStorage.removeItem(KEY);
    halt();
    say('Camera off.');
  });
  // A capture queued offline (offline.js) reloads nothing: scanning goes on here.
  form.addEventListener('sponsorhub:queued', function () {
    say('Queued. Ready for the next badge.');
    if (sessionStorage.getItem(KEY) === 'on') begin();
  });
  if (sessionStorage.getItem(KEY) === 'on') begin();
})();
