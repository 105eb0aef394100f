"""The web door's pages: one HTML document each, its style and script inline (no external asset, nothing fetched
from elsewhere), readable on a phone. Texts come from the catalogue in the bot's language; member text (a title) is
escaped. The upload page works without JavaScript (a plain form); with it, it shows a progress bar.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from bot.i18n import I18n
from bot.services.records import FabriqueRecord
from bot.web.receiving import FILE_FIELD, NAME_HEADER

STYLE = """
*{box-sizing:border-box}
body{margin:0;padding:1rem;font:1.05rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
background:#f1faee;color:#1d1d1f}
main{max-width:36rem;margin:1.5rem auto;background:#fff;border-radius:14px;padding:1.25rem 1.5rem 1.5rem;
box-shadow:0 1px 6px rgba(0,0,0,.12)}
h1{font-size:1.35rem;line-height:1.3;margin:.25rem 0 .75rem;color:#1d3557}
.fabrique{font-size:.95rem;color:#457b9d;margin:0;letter-spacing:.02em}
.titre{font-weight:600;margin:.25rem 0 1rem}
label{display:block;font-weight:600;margin:1rem 0 .4rem}
input[type=file]{display:block;width:100%;padding:.9rem;border:2px dashed #8d99ae;border-radius:10px;
background:#f8f9fa;font:inherit}
button{display:block;width:100%;margin-top:1rem;padding:.85rem;border:0;border-radius:10px;background:#1d3557;
color:#fff;font:inherit;font-weight:600;cursor:pointer}
button:disabled{background:#8d99ae;cursor:default}
progress{display:block;width:100%;height:1.4rem;margin-top:1.25rem;accent-color:#2a9d8f}
progress[hidden]{display:none}
#etat{min-height:1.5em;margin:.5rem 0 0;font-variant-numeric:tabular-nums}
.note{font-size:.95rem;color:#4a4e69}
.ok,.refus{margin:1rem 0 0;padding:.25rem 0 .25rem .9rem}
.ok{border-left:5px solid #2a9d8f}
.refus{border-left:5px solid #c1121f}
a{color:#1d3557;font-weight:600}
"""

# The page's only script: the file goes as the request body (streamed by the browser), its progress shown; the
# answer (a page) replaces the form. Texts come from data- attributes, so the script holds no language.
SCRIPT = """
(function () {
  var form = document.getElementById("depot");
  if (!form || !window.XMLHttpRequest || !window.DOMParser) return;
  var input = form.querySelector("input[type=file]"), button = form.querySelector("button");
  var bar = document.getElementById("barre"), state = document.getElementById("etat"), t = form.dataset;
  var maximum = Number(t.maximum), sending = false;
  function mb(bytes) { return (bytes / 1048576).toFixed(1).replace(".", t.decimal); }
  function say(text) { state.textContent = text; }
  window.addEventListener("beforeunload", function (event) {
    if (sending) { event.preventDefault(); event.returnValue = ""; }
  });
  form.addEventListener("submit", function (event) {
    var file = input.files && input.files[0];
    if (!file) return;
    event.preventDefault();
    if (file.size > maximum) { say(t.tooBig.replace("{size}", mb(file.size))); return; }
    var xhr = new XMLHttpRequest();
    xhr.open("POST", window.location.pathname);
    xhr.setRequestHeader("Content-Type", file.type || "application/octet-stream");
    xhr.setRequestHeader("%(header)s", encodeURIComponent(file.name));
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) return;
      var percent = Math.floor(100 * e.loaded / e.total);
      bar.value = percent;
      say(t.progress.replace("{percent}", percent).replace("{done}", mb(e.loaded)).replace("{total}", mb(e.total)));
    });
    xhr.upload.addEventListener("load", function () { bar.value = 100; say(t.checking); });
    xhr.addEventListener("load", function () {
      sending = false;
      var page = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var main = page.querySelector("main");
      if (!main) { failed(); return; }
      document.title = page.title;
      document.querySelector("main").replaceWith(main);
    });
    function failed() {
      sending = false; button.disabled = false; input.disabled = false; bar.hidden = true; say(t.interrupted);
    }
    xhr.addEventListener("error", failed);
    xhr.addEventListener("abort", failed);
    sending = true; button.disabled = true; input.disabled = true; bar.value = 0; bar.hidden = false;
    say(t.progress.replace("{percent}", 0).replace("{done}", mb(0)).replace("{total}", mb(file.size)));
    xhr.send(file);
  });
})();
""".replace("%(header)s", NAME_HEADER)


def _text(text: str) -> str:
    """Text between tags: ``<``, ``>`` and ``&`` escaped, quotes left as typed (they are harmless there)."""
    return escape(text, quote=False)


def document(i18n: I18n, title: str, main: str, *, nonce: str | None = None) -> str:
    script = f'<script nonce="{nonce}">{SCRIPT}</script>' if nonce else ""
    return (
        f'<!doctype html><html lang="{i18n.language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta name="referrer" content="no-referrer"><meta name="robots" content="noindex,nofollow">'
        f"<title>{_text(title)}</title><style>{STYLE}</style></head>"
        f"<body><main>{main}</main>{script}</body></html>"
    )


def _fabrique_header(i18n: I18n, fabrique: FabriqueRecord) -> str:
    return (
        f'<p class="fabrique">{_text(i18n("web.upload.heading", number=fabrique.id))}</p>'
        f'<p class="titre">« {_text(fabrique.title)} »</p>'
    )


def upload_page(
    i18n: I18n, fabrique: FabriqueRecord, expires_at: datetime, maximum_mb: int, nonce: str, action: str
) -> str:
    """The form: the Fabrique's title, a file picker, « Envoyer », and (with JavaScript) a progress bar."""
    title = i18n("web.upload.title")
    decimal = "," if i18n.language == "fr" else "."
    texts = {
        "maximum": str(maximum_mb * 1024 * 1024),
        "decimal": decimal,
        "progress": i18n("web.upload.progress", percent="{percent}", done="{done}", total="{total}"),
        "checking": i18n("web.upload.checking"),
        "interrupted": i18n("web.upload.interrupted"),
        "too-big": i18n("web.upload.too_big", size="{size}", maximum=maximum_mb),
    }
    data = " ".join(f'data-{name}="{escape(value)}"' for name, value in texts.items())
    main = (
        f"<h1>{_text(title)}</h1>{_fabrique_header(i18n, fabrique)}"
        f'<p class="note">{_text(i18n("web.upload.rules", maximum=maximum_mb, until=i18n.date(expires_at)))}</p>'
        f'<form id="depot" method="post" action="{escape(action)}" enctype="multipart/form-data" {data}>'
        f'<label for="fichier">{_text(i18n("web.upload.file"))}</label>'
        f'<input id="fichier" type="file" name="{FILE_FIELD}" accept="audio/*,video/*,.m4a,.mp3,.mp4,.wav" required>'
        f'<button type="submit">{_text(i18n("web.upload.send"))}</button>'
        '<progress id="barre" max="100" value="0" hidden></progress>'
        '<p id="etat" role="status" aria-live="polite"></p></form>'
    )
    return document(i18n, title, main, nonce=nonce)


def done_page(i18n: I18n, fabrique: FabriqueRecord, size: int) -> str:
    title = i18n("web.done.title")
    megabytes = f"{size / 1048576:.1f}".replace(".", "," if i18n.language == "fr" else ".")
    text = i18n("web.done.body", number=fabrique.id, title=fabrique.title, megabytes=megabytes)
    return document(i18n, title, f'<h1>{_text(title)}</h1><p class="ok">{_text(text)}</p>')


def message_page(
    i18n: I18n, title: str, text: str, *, fabrique: FabriqueRecord | None = None, again: str | None = None
) -> str:
    """A refusal or an error: what happened and what to do; ``again`` links back to the form when the link still
    serves (a file too big, not a recording, an upload cut short)."""
    header = _fabrique_header(i18n, fabrique) if fabrique is not None else ""
    link = f'<p><a href="{escape(again)}">{_text(i18n("web.upload.again"))}</a></p>' if again else ""
    return document(i18n, title, f'<h1>{_text(title)}</h1>{header}<p class="refus">{_text(text)}</p>{link}')
