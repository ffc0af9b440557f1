// The import page's upload (templates/admin/subscribers-import.liquid): the chosen file goes to
// POST /api/subscribers/import as text/csv with the session's CSRF token, the bar shows the
// upload, and the answer's per-line report is written into the page (as text, never as HTML).
(function () {
  'use strict';
  var form = document.getElementById('upload');
  var bar = document.getElementById('upload-progress');
  var report = document.getElementById('report');
  if (!form || !bar || !report || !window.XMLHttpRequest) return;
  form.hidden = false;

  function show(heading, summary, problems) {
    report.textContent = '';
    var h = document.createElement('h2');
    h.textContent = heading;
    report.appendChild(h);
    var p = document.createElement('p');
    p.className = 'summary';
    p.textContent = summary;
    report.appendChild(p);
    if (problems.length > 0) {
      var ul = document.createElement('ul');
      ul.className = 'problems';
      problems.forEach(function (line) {
        var li = document.createElement('li');
        li.textContent = line;
        ul.appendChild(li);
      });
      report.appendChild(ul);
    }
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var file = form.elements.file.files[0];
    if (!file) return;
    var button = form.querySelector('button');
    button.disabled = true;
    bar.value = 0;
    show('Importing…', 'Uploading ' + file.name + '…', []);
    var xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/subscribers/import');
    xhr.setRequestHeader('content-type', 'text/csv');
    xhr.setRequestHeader('x-csrf-token', form.elements._csrf.value);
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
    };
    xhr.upload.onload = function () {
      bar.value = 100;
      show('Importing…', 'Uploaded; the server is importing the rows…', []);
    };
    xhr.onload = function () {
      button.disabled = false;
      var answer;
      try {
        answer = JSON.parse(xhr.responseText);
      } catch (e) {
        answer = { error: 'the server answered ' + xhr.status };
      }
      if (xhr.status !== 200) return show('Not imported', answer.error || 'the server answered ' + xhr.status, []);
      show(
        'Imported',
        answer.rows + ' rows: ' + answer.added + ' added, ' + answer.duplicates + ' already on the list, ' + answer.suppressed + ' suppressed, ' + answer.bad + ' with problems.',
        answer.problems || [],
      );
    };
    xhr.onerror = function () {
      button.disabled = false;
      show('Not imported', 'The upload failed (network error).', []);
    };
    file.text().then(function (text) {
      xhr.send(text);
    });
  });
})();
